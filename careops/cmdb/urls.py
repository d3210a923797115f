from django.urls import path

from careops.cmdb.views import discovery, file_sd

app_name = "cmdb"

urlpatterns = [
    path("file-sd.json", file_sd.file_sd_json, name="file_sd"),
    path("hosts/<int:pk>/discover/", discovery.host_discover, name="host_discover"),
]
