from django.urls import path

from careops.cmdb.views import locations, topology

app_name = "cmdb"

urlpatterns = [
    path("topology/", topology.topology_page, name="topology"),
    path("topology/data/", topology.topology_data, name="topology_data"),
    path("topology/impact/<int:pk>/", topology.topology_impact, name="topology_impact"),
    path("locations/", locations.location_list, name="locations"),
    path("locations/rooms/<int:pk>/", locations.location_room, name="location_room"),
]
