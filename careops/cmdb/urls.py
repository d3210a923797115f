from django.urls import path, register_converter

from careops.cmdb.views import (
    discovery,
    documents,
    file_sd,
    imports,
    index,
    locations,
    pages,
    topology,
)
from careops.cmdb.views.registry import ItemSlug, RecordSlug

app_name = "cmdb"

register_converter(ItemSlug, "cmdb_item")
register_converter(RecordSlug, "cmdb_record")

# Fixed paths first: the class-slug patterns at the end would otherwise shadow them.
urlpatterns = [
    path("file-sd.json", file_sd.file_sd_json, name="file_sd"),
    path("hosts/<int:pk>/discover/", discovery.host_discover, name="host_discover"),
    path("topology/", topology.topology_page, name="topology"),
    path("topology/data/", topology.topology_data, name="topology_data"),
    path("topology/impact/<int:pk>/", topology.topology_impact, name="topology_impact"),
    path("locations/", locations.location_list, name="locations"),
    path("locations/rooms/<int:pk>/", locations.location_room, name="location_room"),
    path("import/", imports.import_start, name="import"),
    path("import/<str:token>/apply/", imports.import_apply, name="import_apply"),
    path("import/template/", imports.import_template, name="import_template"),
    path("export/", imports.export, name="export"),
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
