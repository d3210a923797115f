"""Filters of every CMDB list: pages, API and XLSX export share them."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from careops.cmdb.choices import ItemStatus
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
    Relation,
    Room,
    Service,
    Site,
    StorageDevice,
    Vendor,
)

SEARCH_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Host: ("hostname", "os_version", "rack"),
    DatabaseInstance: ("version",),
    Service: ("software", "version"),
    Interface: ("endpoint",),
    NetworkDevice: ("model",),
    StorageDevice: ("model",),
    BackupJob: ("tool", "local_destination", "offsite_destination"),
    BusinessSystem: ("version",),
}


class SearchFilterSet(django_filters.FilterSet):  # type: ignore[misc]
    q = django_filters.CharFilter(method="search", label=_("Search"))

    def search(self, queryset: models.QuerySet[Any], name: str,
               value: str) -> models.QuerySet[Any]:
        value = value.strip()
        if not value:
            return queryset
        condition = Q(name__icontains=value) | Q(code__icontains=value)
        if hasattr(queryset.model, "notes"):
            condition |= Q(notes__icontains=value)
        for field in SEARCH_FIELDS.get(queryset.model, ()):
            condition |= Q(**{f"{field}__icontains": value})
        if queryset.model is Host:
            # addresses is a JSON list; match its text form (works on every backend).
            condition |= Q(addresses__icontains=value)
        return queryset.filter(condition)


class ItemFilterSet(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ItemStatus.choices,
                                                 label=_("Status"))
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("Vendor"))
    tag = django_filters.CharFilter(method="filter_tag", label=_("Tag"))

    def filter_tag(self, queryset: models.QuerySet[Any], name: str,
                   value: str) -> models.QuerySet[Any]:
        # JSON containment is not portable to SQLite; match the quoted text instead.
        return queryset.filter(tags__icontains=f'"{value.strip()}"') if value.strip() else queryset


def _item_filterset(model: type[ConfigItem], extra: tuple[str, ...]) -> type[ItemFilterSet]:
    meta = type("Meta", (), {"model": model, "fields": list(extra)})
    return type(f"{model.__name__}FilterSet", (ItemFilterSet,), {"Meta": meta})


def _plain_filterset(model: type[models.Model],
                     extra: tuple[str, ...]) -> type[SearchFilterSet]:
    meta = type("Meta", (), {"model": model, "fields": list(extra)})
    return type(f"{model.__name__}FilterSet", (SearchFilterSet,), {"Meta": meta})


FILTERSETS: dict[type[models.Model], type[django_filters.FilterSet]] = {
    ConfigItem: _item_filterset(ConfigItem, ("kind",)),
    BusinessSystem: _item_filterset(
        BusinessSystem, ("category", "criticality", "patient_safety", "hours_of_use",
                         "departments", "maintainers")),
    Host: _item_filterset(Host, ("os_family", "machine_kind", "network_zone", "room")),
    DatabaseInstance: _item_filterset(DatabaseInstance, ("engine", "host")),
    Service: _item_filterset(Service, ("service_kind", "host")),
    Interface: _item_filterset(Interface, ("protocol", "direction", "source_system",
                                           "target_system")),
    NetworkDevice: _item_filterset(NetworkDevice, ("device_kind", "network_zone", "room")),
    StorageDevice: _item_filterset(StorageDevice, ("storage_kind", "room")),
    BackupJob: _item_filterset(BackupJob, ("method", "storage")),
    Room: _item_filterset(Room, ("floor", "is_server_room", "department")),
    Site: _plain_filterset(Site, ()),
    Building: _plain_filterset(Building, ("site",)),
    Floor: _plain_filterset(Floor, ("building",)),
    Department: _plain_filterset(Department, ("site",)),
    Vendor: _plain_filterset(Vendor, ()),
}


class ContactFilterSet(django_filters.FilterSet):  # type: ignore[misc]
    class Meta:
        model = Contact
        fields = ["vendor", "department"]


class RelationFilterSet(django_filters.FilterSet):  # type: ignore[misc]
    class Meta:
        model = Relation
        fields = ["source", "target", "type"]


FILTERSETS[Contact] = ContactFilterSet
FILTERSETS[Relation] = RelationFilterSet
