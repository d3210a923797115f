from django.urls import path, register_converter

from careops.cmdb.views import documents, index, pages
from careops.cmdb.views.registry import ItemSlug, RecordSlug

app_name = "cmdb"

register_converter(ItemSlug, "cmdb_item")
register_converter(RecordSlug, "cmdb_record")

urlpatterns = [
    path("", index.index, name="index"),
    path("items/<int:pk>/", pages.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", pages.item_edit, name="item_edit"),
    path("items/<int:pk>/delete/", pages.item_delete, name="item_delete"),
    path("items/<int:pk>/relations/", pages.relation_add, name="relation_add"),
    path("items/<int:pk>/documents/", documents.document_upload, name="document_upload"),
    path("relations/<int:pk>/remove/", pages.relation_remove, name="relation_remove"),
    path("documents/<int:pk>/", documents.document_download, name="document_download"),
    path("documents/<int:pk>/delete/", documents.document_delete, name="document_delete"),
    path("<cmdb_item:kind>/", pages.item_list, name="item_list"),
    path("<cmdb_item:kind>/new/", pages.item_create, name="item_create"),
    path("<cmdb_record:kind>/", pages.record_list, name="record_list"),
    path("<cmdb_record:kind>/new/", pages.record_create, name="record_create"),
    path("<cmdb_record:kind>/<int:pk>/", pages.record_detail, name="record_detail"),
    path("<cmdb_record:kind>/<int:pk>/edit/", pages.record_edit, name="record_edit"),
    path("<cmdb_record:kind>/<int:pk>/delete/", pages.record_delete, name="record_delete"),
]
