from django.urls import path

from careops.cmdb.views import discovery, file_sd, imports, locations, topology

app_name = "cmdb"

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
]
