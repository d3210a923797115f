"""ModelForms of the CMDB pages: one per class of item and per plain record.

Forms only collect and check input; the views hand ``fields()`` and ``m2m()`` to
``careops.cmdb.actions.items.create/update``, which validate again and audit.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from careops.cmdb.choices import RelationType
from careops.cmdb.forms.fields import (
    AddressesField,
    DisksField,
    EndpointsField,
    LinesField,
    TagsField,
    mark_invalid,
    style,
)
from careops.cmdb.models import (
    BackupJob,
    Building,
    BusinessSystem,
    ConfigItem,
    Contact,
    DatabaseInstance,
    Department,
    Document,
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
from careops.core import access
from careops.core.choices import Role
from careops.core.roles import Cap, has_cap
from careops.logic.impact import ALLOWED

# Roles offered for the user fields of the forms.
OWNER_ROLES = (Role.HOSPITAL_ADMIN, Role.IT_ENGINEER, Role.VENDOR_ENGINEER)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CmdbForm(forms.ModelForm):  # type: ignore[type-arg]
    """Tabler-styled; choices of other configuration items limited to what the user sees."""

    user_roles: ClassVar[dict[str, tuple[str, ...]]] = {}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        from careops.core.models import User

        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None or not isinstance(field, forms.ModelChoiceField):
                continue
            if issubclass(queryset.model, ConfigItem):
                # What the user sees, and the value the record has now (a vendor engineer's
                # host stays in its room even when rooms are not among his items).
                current = getattr(self.instance, f"{name}_id", None)
                visible = access.scope(user, queryset)
                field.queryset = (visible | queryset.filter(pk=current)) if current else visible
            elif queryset.model is User:
                roles = self.user_roles.get(name, OWNER_ROLES)
                field.queryset = User.objects.filter(is_active=True, role__in=roles).order_by(
                    "username")
        if not has_cap(user, Cap.MANAGE_ITEMS):
            # See careops.cmdb.actions.items._check_credential_fields.
            self.fields.pop("credential", None)
            if getattr(self.instance, "credential_id", None):
                for name in getattr(self.instance, "credential_target_fields", ()):
                    if name in self.fields:
                        self.fields[name].disabled = True
        style(self)

    def full_clean(self) -> None:
        super().full_clean()
        mark_invalid(self)

    def fields_and_m2m(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The cleaned values split into plain fields and many-to-many lists."""
        m2m_names = {f.name for f in self._meta.model._meta.many_to_many}
        plain: dict[str, Any] = {}
        m2m: dict[str, Any] = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if name in m2m_names:
                m2m[name] = list(value or [])
            else:
                plain[name] = value
        return plain, m2m

    def apply_errors(self, error: ValidationError) -> None:
        """Errors from the actions, each on its field (or on the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)
        mark_invalid(self)


ITEM_FIELDS = ["name", "code", "status", "owner", "vendor"]
ITEM_TAIL = ["tags", "monitoring_endpoints", "notes"]


class ItemForm(CmdbForm):
    tags = TagsField(label=_("Tags"), placeholder=_("e.g. 核心, 等保三级"),
                     help_text=_("Separate tags with commas."))
    monitoring_endpoints = EndpointsField(
        label=_("Monitoring endpoints"), placeholder="node 10.1.2.3:9100",
        help_text=_('One exporter a line: "job target [path]"; jobs: node, windows, '
                    'postgres, mysqld, blackbox, other.'))


def _item_form(model: type[ConfigItem], fields: list[str],
               widgets: dict[str, Any] | None = None,
               extra: dict[str, Any] | None = None) -> type[ItemForm]:
    meta = type("Meta", (), {"model": model, "fields": ITEM_FIELDS + fields + ITEM_TAIL,
                             "widgets": {"notes": forms.Textarea(attrs={"rows": 3}),
                                         **(widgets or {})}})
    return type(f"{model.__name__}Form", (ItemForm,), {"Meta": meta, **(extra or {})})


SystemForm = _item_form(
    BusinessSystem, ["category", "criticality", "patient_safety", "hours_of_use",
                     "value_per_hour", "version", "go_live", "departments", "maintainers"],
    widgets={"go_live": DATE})
HostForm = _item_form(
    Host, ["hostname", "addresses", "os_family", "os_version", "machine_kind", "cpu_cores",
           "memory_mb", "disks", "room", "rack", "network_zone", "credential", "ssh_port"],
    extra={
        "addresses": AddressesField(label=_("IP addresses"), placeholder="10.1.2.10",
                                    help_text=_("One address a line.")),
        "disks": DisksField(label=_("Disks"), placeholder="/ 100\n/data 500",
                            help_text=_('One disk a line: "mount size_gb".')),
    })
DatabaseForm = _item_form(
    DatabaseInstance, ["engine", "version", "host", "port", "databases", "credential"],
    extra={"databases": LinesField(label=_("Databases"), placeholder="HISDB",
                                   help_text=_("One database (or schema) name a line."))})
ServiceForm = _item_form(
    Service, ["service_kind", "software", "version", "host", "endpoints"],
    extra={"endpoints": LinesField(label=_("Endpoints"),
                                   placeholder="https://his.example.local:8443/",
                                   help_text=_("One URL or host:port a line."))})
InterfaceForm = _item_form(
    Interface, ["protocol", "direction", "source_system", "target_system", "endpoint",
                "schedule"])
NetworkDeviceForm = _item_form(
    NetworkDevice, ["device_kind", "model", "management_address", "room", "rack",
                    "network_zone"])
StorageDeviceForm = _item_form(
    StorageDevice, ["storage_kind", "model", "capacity_tb", "management_address", "room",
                    "rack"])
BackupJobForm = _item_form(
    BackupJob, ["method", "tool", "local_destination", "offsite_destination", "schedule",
                "retention_days", "storage"])
RoomForm = _item_form(Room, ["floor", "is_server_room", "department"])


def _formfield(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


def _record_form(model: type[models.Model], fields: list[str],
                 user_roles: dict[str, tuple[str, ...]] | None = None) -> type[CmdbForm]:
    widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
    meta = type("Meta", (), {"model": model, "fields": fields, "widgets": widgets,
                             "formfield_callback": staticmethod(_formfield)})
    return type(f"{model.__name__}Form", (CmdbForm,),
                {"Meta": meta, "user_roles": user_roles or {}})


SiteForm = _record_form(Site, ["name", "code", "address", "notes"])
BuildingForm = _record_form(Building, ["name", "code", "site", "notes"])
FloorForm = _record_form(Floor, ["name", "code", "building", "level", "notes"])
DepartmentForm = _record_form(Department, ["name", "code", "site", "phone", "members", "notes"],
                              user_roles={"members": (Role.DEPARTMENT_USER,)})
VendorForm = _record_form(Vendor, ["name", "code", "phone", "email", "wechat", "website",
                                   "engineers", "notes"],
                          user_roles={"engineers": (Role.VENDOR_ENGINEER,)})
ContactForm = _record_form(Contact, ["name", "title", "vendor", "department",
                                     "escalation_level", "phone", "wechat", "email"])


DIRECTIONS = (("out", _("This item → the other item")), ("in", _("The other item → this item")))


class RelationForm(forms.Form):
    """Relate the item on the page to another item the user can see."""

    direction = forms.ChoiceField(label=_("Direction"), choices=DIRECTIONS, initial="out")
    type = forms.ChoiceField(label=_("Relation"), choices=RelationType.choices)
    other = forms.ModelChoiceField(label=_("Other item"), queryset=ConfigItem.objects.none())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, item: ConfigItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds: set[str] = set()
        for sources, targets in ALLOWED.values():
            if item.kind in sources:
                kinds |= targets
            if item.kind in targets:
                kinds |= sources
        other = self.fields["other"]
        assert isinstance(other, forms.ModelChoiceField)
        other.queryset = access.scope(
            user, ConfigItem.objects.filter(kind__in=sorted(kinds)).exclude(pk=item.pk)
        ).order_by("kind", "code")
        other.label_from_instance = (  # type: ignore[method-assign]
            lambda obj: f"{obj.get_kind_display()} · {obj.code} · {obj.name}")
        style(self)


MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


class DocumentForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Document
        fields = ["title", "file"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload is not None and upload.size > MAX_DOCUMENT_BYTES:
            raise ValidationError(_("The file is larger than %(size)s MB."),
                                  code="too_large",
                                  params={"size": MAX_DOCUMENT_BYTES // (1024 * 1024)})
        return upload
