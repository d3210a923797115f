from django.urls import path

from careops.cmdb.views import discovery

app_name = "cmdb"

urlpatterns = [
    path("hosts/<int:pk>/discover/", discovery.host_discover, name="host_discover"),
]
