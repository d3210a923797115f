from django.urls import path

from careops.cmdb.views import imports

app_name = "cmdb"

urlpatterns = [
    path("import/", imports.import_start, name="import"),
    path("import/<str:token>/apply/", imports.import_apply, name="import_apply"),
    path("import/template/", imports.import_template, name="import_template"),
    path("export/", imports.export, name="export"),
]
