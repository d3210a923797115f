from django.urls import path

from careops.cmdb.api.discovery import HostDiscoverView

urlpatterns = [
    path("hosts/<int:pk>/discover/", HostDiscoverView.as_view(), name="cmdb-host-discover"),
]
