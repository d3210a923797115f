"""What the generic CMDB pages show for each class: the configuration of the views.

One ``Entry`` per class of item (hosts, databases …) and per plain record (sites,
vendors …): model, URL slug, form, table columns, related rows to load, panels on
the detail page. The views in ``careops.cmdb.views.pages`` read nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from careops.cmdb.forms import items as forms
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


@dataclass(frozen=True)
class Column:
    name: str  # attribute of the row (or annotation)
    label: Any
    sort: str = ""  # order_by field; empty = not sortable
    render: str = "text"  # text, link, code, status, criticality, bool, fk, m2m, list, count


@dataclass(frozen=True)
class Panel:
    """Rows related to a plain record, shown on its detail page."""

    title: Any
    accessor: str  # related manager name on the record
    template: str = "cmdb/panels/links.html"
    order_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    slug: str
    model: type[models.Model]
    form: type[forms.CmdbForm]
    columns: tuple[Column, ...]
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    annotations: dict[str, Any] = field(default_factory=dict)
    panels: tuple[Panel, ...] = ()
    icon: str = ""

    @property
    def is_item(self) -> bool:
        return issubclass(self.model, ConfigItem)

    @property
    def title(self) -> Any:
        return self.model._meta.verbose_name_plural

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name or ""

    @property
    def singular(self) -> Any:
        return self.model._meta.verbose_name

    def sort_fields(self) -> set[str]:
        return {c.sort for c in self.columns if c.sort}

    def queryset(self) -> models.QuerySet[Any]:
        qs = self.model._default_manager.all()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        if self.annotations:
            # Grouped queries drop Meta.ordering: keep it explicitly (stable pagination).
            qs = qs.annotate(**self.annotations).order_by(
                *(self.model._meta.ordering or []), "pk")
        return qs


NAME = Column("name", _("Name"), "name", "link")
CODE = Column("code", pgettext_lazy("cmdb", "Code"), "code", "code")
STATUS = Column("status", _("Status"), "status", "status")
VENDOR = Column("vendor", _("Vendor"), "", "fk")


def _c(name: str, label: Any, render: str = "text", sort: str = "") -> Column:
    return Column(name, label, sort, render)


ITEMS: tuple[Entry, ...] = (
    Entry("systems", BusinessSystem, forms.SystemForm, (
        NAME, CODE, _c("category", _("Category"), "choice", "category"),
        _c("criticality", _("Criticality"), "criticality", "criticality"),
        _c("patient_safety", _("Patient safety"), "bool"),
        _c("hours_of_use", _("Hours of use"), "choice"),
        VENDOR, _c("departments", _("Departments served"), "m2m"), STATUS),
        select_related=("vendor",), prefetch_related=("departments",)),
    Entry("hosts", Host, forms.HostForm, (
        NAME, CODE, _c("hostname", _("Host name"), "code", "hostname"),
        _c("addresses", _("IP addresses"), "list"),
        _c("os_family", _("OS"), "os", "os_family"),
        _c("machine_kind", _("Physical or virtual"), "choice"),
        _c("network_zone", _("Network zone"), "choice", "network_zone"),
        _c("room", _("Room"), "fk"), STATUS),
        select_related=("room",)),
    Entry("databases", DatabaseInstance, forms.DatabaseForm, (
        NAME, CODE, _c("engine", _("Engine"), "choice", "engine"),
        _c("version", _("Version")), _c("host", _("Host"), "fk"), _c("port", _("Port")),
        _c("databases", _("Databases"), "list"), STATUS),
        select_related=("host",)),
    Entry("services", Service, forms.ServiceForm, (
        NAME, CODE, _c("service_kind", _("Kind"), "choice", "service_kind"),
        _c("software", _("Software"), "text", "software"), _c("version", _("Version")),
        _c("host", _("Host"), "fk"), STATUS),
        select_related=("host",)),
    Entry("interfaces", Interface, forms.InterfaceForm, (
        NAME, CODE, _c("protocol", _("Protocol"), "choice", "protocol"),
        _c("source_system", _("Source system"), "fk"),
        _c("direction", _("Direction"), "choice"),
        _c("target_system", _("Target system"), "fk"),
        _c("schedule", _("Schedule")), STATUS),
        select_related=("source_system", "target_system")),
    Entry("network-devices", NetworkDevice, forms.NetworkDeviceForm, (
        NAME, CODE, _c("device_kind", _("Kind"), "choice", "device_kind"),
        _c("model", _("Model")), _c("management_address", _("Management address"), "code"),
        _c("network_zone", _("Network zone"), "choice"), _c("room", _("Room"), "fk"), STATUS),
        select_related=("room",)),
    Entry("storage-devices", StorageDevice, forms.StorageDeviceForm, (
        NAME, CODE, _c("storage_kind", _("Kind"), "choice", "storage_kind"),
        _c("model", _("Model")), _c("capacity_tb", _("Capacity (TB)"), "text", "capacity_tb"),
        _c("room", _("Room"), "fk"), STATUS),
        select_related=("room",)),
    Entry("backup-jobs", BackupJob, forms.BackupJobForm, (
        NAME, CODE, _c("method", _("Method"), "choice", "method"),
        _c("tool", _("Tool")), _c("schedule", _("Schedule")),
        _c("retention_days", _("Retention (days)"), "text", "retention_days"),
        _c("offsite_destination", _("Off-site destination")),
        _c("storage", _("Storage device"), "fk"), STATUS),
        select_related=("storage",)),
    Entry("rooms", Room, forms.RoomForm, (
        NAME, CODE, _c("floor", _("Floor"), "fk"),
        _c("is_server_room", _("Server room"), "bool"),
        _c("department", _("Department"), "fk"), STATUS),
        select_related=("floor__building", "department")),
)

RECORDS: tuple[Entry, ...] = (
    Entry("sites", Site, forms.SiteForm, (
        NAME, CODE, _c("address", _("Address")),
        _c("n_buildings", _("Buildings"), "count")),
        annotations={"n_buildings": Count("buildings", distinct=True)},
        panels=(Panel(_("Buildings"), "buildings"),
                Panel(_("Departments"), "departments"))),
    Entry("buildings", Building, forms.BuildingForm, (
        NAME, CODE, _c("site", _("Site"), "fk"), _c("n_floors", _("Floors"), "count")),
        select_related=("site",), annotations={"n_floors": Count("floors", distinct=True)},
        panels=(Panel(_("Floors"), "floors", order_by=("level",)),)),
    Entry("floors", Floor, forms.FloorForm, (
        NAME, CODE, _c("building", _("Building"), "fk"), _c("level", _("Level"), "text", "level"),
        _c("n_rooms", _("Rooms"), "count")),
        select_related=("building",), annotations={"n_rooms": Count("rooms", distinct=True)},
        panels=(Panel(_("Rooms"), "rooms"),)),
    Entry("departments", Department, forms.DepartmentForm, (
        NAME, CODE, _c("site", _("Site"), "fk"), _c("phone", _("Phone")),
        _c("n_members", _("Members"), "count"), _c("n_systems", _("Systems"), "count")),
        select_related=("site",),
        annotations={"n_members": Count("members", distinct=True),
                     "n_systems": Count("systems", distinct=True)},
        panels=(Panel(_("Members"), "members", "cmdb/panels/users.html", ("username",)),
                Panel(_("Contacts"), "contacts", "cmdb/panels/contacts.html"),
                Panel(_("Systems served"), "systems"),
                Panel(_("Rooms"), "rooms"))),
    Entry("vendors", Vendor, forms.VendorForm, (
        NAME, CODE, _c("phone", _("Service hotline")), _c("email", _("Email")),
        _c("n_systems", _("Systems maintained"), "count"),
        _c("n_engineers", _("Engineers"), "count")),
        annotations={"n_systems": Count("maintained_systems", distinct=True),
                     "n_engineers": Count("engineers", distinct=True)},
        panels=(Panel(_("Contacts in escalation order"), "contacts",
                      "cmdb/panels/contacts.html", ("escalation_level", "name")),
                Panel(_("Engineers"), "engineers", "cmdb/panels/users.html", ("username",)),
                Panel(_("Systems maintained"), "maintained_systems"),
                Panel(_("Items supplied"), "items"))),
    Entry("contacts", Contact, forms.ContactForm, (
        _c("name", _("Name"), "link", "name"), _c("title", _("Title")),
        _c("vendor", _("Vendor"), "fk"), _c("department", _("Department"), "fk"),
        _c("escalation_level", _("Escalation level"), "text", "escalation_level"),
        _c("phone", _("Phone")), _c("wechat", _("WeChat")), _c("email", _("Email"))),
        select_related=("vendor", "department")),
)

BY_SLUG: dict[str, Entry] = {e.slug: e for e in (*ITEMS, *RECORDS)}
BY_MODEL: dict[type[models.Model], Entry] = {e.model: e for e in (*ITEMS, *RECORDS)}
BY_KIND: dict[str, Entry] = {e.model.KIND: e for e in ITEMS}  # type: ignore[attr-defined]


class ItemSlug:
    regex = "|".join(e.slug for e in ITEMS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class RecordSlug(ItemSlug):
    regex = "|".join(e.slug for e in RECORDS)
