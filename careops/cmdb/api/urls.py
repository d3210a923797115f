"""Routes of the CMDB API, included at /api/v1/cmdb/ (docs/cmdb.md)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import include, path, reverse
from rest_framework.routers import DefaultRouter

from careops.cmdb.api.discovery import HostDiscoverView
from careops.cmdb.api.views import FileSdView, ItemViewSet, RelationViewSet, viewset_for
from careops.cmdb.models import (
    BackupJob,
    Building,
    BusinessSystem,
    ConfigItem,
    Contact,
    DatabaseInstance,
    Department,
    Floor,
    Host,
    Interface,
    NetworkDevice,
    Room,
    Service,
    Site,
    StorageDevice,
    Vendor,
)

# URL prefix of each class's endpoint.
ROUTES: dict[str, type[models.Model]] = {
    "sites": Site,
    "buildings": Building,
    "floors": Floor,
    "rooms": Room,
    "departments": Department,
    "vendors": Vendor,
    "contacts": Contact,
    "systems": BusinessSystem,
    "hosts": Host,
    "databases": DatabaseInstance,
    "services": Service,
    "interfaces": Interface,
    "network-devices": NetworkDevice,
    "storage-devices": StorageDevice,
    "backup-jobs": BackupJob,
}
PREFIX_BY_MODEL = {model: prefix for prefix, model in ROUTES.items()}

router = DefaultRouter()
for prefix, model in ROUTES.items():
    router.register(prefix, viewset_for(model), basename=f"cmdb-{prefix}")
router.register("relations", RelationViewSet, basename="cmdb-relations")
router.register("items", ItemViewSet, basename="cmdb-items")


def detail_url(item: ConfigItem, request: Any = None) -> str:
    """The API URL of an item in its class's endpoint."""
    from careops.cmdb.models import MODEL_BY_KIND

    url = reverse(f"cmdb-{PREFIX_BY_MODEL[MODEL_BY_KIND[item.kind]]}-detail", args=[item.pk])
    return str(request.build_absolute_uri(url)) if request is not None else url


urlpatterns = [
    path("file-sd/", FileSdView.as_view(), name="cmdb-file-sd"),
    path("hosts/<int:pk>/discover/", HostDiscoverView.as_view(), name="cmdb-host-discover"),
    path("", include(router.urls)),
]
