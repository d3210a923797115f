"""Serializers of the CMDB API.

Serializers check the *shape* of a request; the actions in careops.cmdb.actions
validate the record (``full_clean``), check rights and write the audit trail.

Related records are written by id (a JSON number), by code (a string; usernames for
users, names for credentials) or as an object ``{"id": 3}`` / ``{"code": "SRV-LIS"}``,
and read back as a short object ``{"id", "code", "name"}``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from careops.cmdb.actions import items as item_actions
from careops.cmdb.actions import relations as relation_actions
from careops.cmdb.models import ConfigItem, Contact, Relation
from careops.cmdb.validators import EXPORTER_JOBS
from careops.core import access
from careops.core.models import Secret, User


@contextmanager
def denied_with_reason() -> Iterator[None]:
    """The actions' PermissionDenied, with its message, as a 403 of the API."""
    try:
        yield
    except PermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc


# --- references to related records -------------------------------------------------

def natural_key(model: type[models.Model]) -> str:
    """The field a record is referred to by besides its id."""
    if issubclass(model, User):
        return "username"
    if issubclass(model, Secret):
        return "name"
    return "code"


def brief(obj: models.Model) -> dict[str, Any]:
    """The short form of a related record in responses."""
    if isinstance(obj, User):
        return {"id": obj.pk, "username": obj.username, "name": obj.name}
    if isinstance(obj, Secret):
        return {"id": obj.pk, "name": obj.name}
    data = {"id": obj.pk, "code": getattr(obj, "code", ""), "name": getattr(obj, "name", "")}
    if isinstance(obj, ConfigItem):
        data["kind"] = obj.kind
    return data


class RefField(serializers.RelatedField):  # type: ignore[type-arg]
    """A related record by id, by code, or as ``{"id": …}`` / ``{"code": …}``."""

    default_error_messages = {
        "does_not_exist": _("No %(model)s with id or code “%(value)s”."),
        "incorrect_type": _("Give an id (number) or a code (text)."),
    }

    def get_queryset(self) -> models.QuerySet[Any]:
        queryset = super().get_queryset()
        assert queryset is not None, "a writable RefField needs a queryset"
        request = self.context.get("request")
        if request is None:
            return queryset
        try:
            # Only records the user can see may be referred to (others "do not exist").
            return access.scope(request.user, queryset)
        except LookupError:
            return queryset

    def to_internal_value(self, data: Any) -> Any:
        queryset = self.get_queryset()
        key = natural_key(queryset.model)
        if isinstance(data, dict):
            data = data.get("id", data.get(key))
        if isinstance(data, bool) or not isinstance(data, (int, str)) or data == "":
            self.fail("incorrect_type")
        found: models.Model | None = None
        if isinstance(data, int):
            found = queryset.filter(pk=data).first()
        else:
            found = queryset.filter(**{key: data.strip()}).first()
            if found is None and data.strip().isdigit():
                found = queryset.filter(pk=int(data)).first()
        if found is None:
            raise serializers.ValidationError(
                self.error_messages["does_not_exist"]
                % {"model": queryset.model._meta.verbose_name, "value": data},
                code="does_not_exist")
        return found

    def to_representation(self, value: Any) -> dict[str, Any]:
        return brief(value)

    def get_choices(self, cutoff: int | None = None) -> dict[Any, str]:
        queryset = self.get_queryset()
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {item.pk: self.display_value(item) for item in queryset}


def _brief_schema(model: type[models.Model]) -> dict[str, Any]:
    integer = {"type": "integer", "readOnly": True}
    string = {"type": "string", "readOnly": True}
    if issubclass(model, User):
        properties = {"id": integer, "username": string, "name": string}
    elif issubclass(model, Secret):
        properties = {"id": integer, "name": string}
    else:
        properties = {"id": integer, "code": string, "name": string}
        if issubclass(model, ConfigItem):
            properties["kind"] = string
    return {"type": "object", "properties": properties, "required": list(properties)}


def related_model(field: RefField) -> type[models.Model]:
    queryset: Any = getattr(field, "queryset", None)
    if queryset is not None:
        return queryset.model  # type: ignore[no-any-return]
    holder: Any = field.parent
    name = field.source
    if isinstance(holder, serializers.ManyRelatedField):
        name, holder = holder.source, holder.parent
    return holder.Meta.model._meta.get_field(name).related_model  # type: ignore[no-any-return]


class RefFieldExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    target_class = RefField

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        field: RefField = self.target
        model = related_model(field)
        if direction == "request":
            key = natural_key(model)
            return {"oneOf": [{"type": "integer", "description": "id"},
                              {"type": "string", "description": key}]}
        return _brief_schema(model)


# --- JSON fields with a documented shape --------------------------------------------

def _typed_json(name: str, schema: dict[str, Any]) -> type[serializers.JSONField]:
    field: type[serializers.JSONField] = type(name, (serializers.JSONField,), {})
    return extend_schema_field(schema)(field)


_STRINGS = {"type": "array", "items": {"type": "string"}}
JSON_FIELDS: dict[str, type[serializers.JSONField]] = {
    "tags": _typed_json("TagsField", {"type": "array",
                                      "items": {"type": "string", "maxLength": 40}}),
    "monitoring_endpoints": _typed_json("EndpointsField", {
        "type": "array",
        "items": {"type": "object", "required": ["job", "target"],
                  "properties": {"job": {"type": "string", "enum": list(EXPORTER_JOBS)},
                                 "target": {"type": "string", "example": "10.1.2.10:9100"},
                                 "path": {"type": "string", "example": "/metrics"}}}}),
    "addresses": _typed_json("AddressesField", {
        "type": "array", "items": {"type": "string", "example": "10.1.2.10"}}),
    "disks": _typed_json("DisksField", {
        "type": "array",
        "items": {"type": "object", "required": ["mount", "size_gb"],
                  "properties": {"mount": {"type": "string", "example": "/"},
                                 "size_gb": {"type": "number", "minimum": 0}}}}),
    "databases": _typed_json("NamesField", _STRINGS),
    "endpoints": _typed_json("EndpointListField", _STRINGS),
}


# --- records ----------------------------------------------------------------------

class CmdbSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """Base of every record's serializer; saving goes through careops.cmdb.actions.items."""

    serializer_related_field = RefField
    id = serializers.IntegerField(read_only=True)

    def build_standard_field(self, field_name: str,
                             model_field: models.Field[Any, Any]) -> tuple[Any, dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if field_name in JSON_FIELDS:
            field_class = JSON_FIELDS[field_name]
        return field_class, kwargs

    def _split(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        model: type[models.Model] = self.Meta.model
        m2m_names = {f.name for f in model._meta.many_to_many}
        fields = {k: v for k, v in data.items() if k not in m2m_names}
        m2m = {k: v for k, v in data.items() if k in m2m_names}
        return fields, m2m

    def create(self, validated_data: dict[str, Any]) -> models.Model:
        request = self.context["request"]
        fields, m2m = self._split(validated_data)
        with denied_with_reason():
            return item_actions.create(request.user, self.Meta.model, fields, m2m=m2m,
                                       request=request)

    def update(self, instance: models.Model, validated_data: dict[str, Any]) -> models.Model:
        request = self.context["request"]
        fields, m2m = self._split(validated_data)
        with denied_with_reason():
            return item_actions.update(request.user, instance, fields, m2m=m2m,
                                       request=request)


CODED_FIELDS = ["id", "code", "name", "notes", "is_demo", "created_at", "updated_at"]
ITEM_FIELDS = ["id", "kind", "code", "name", "status", "owner", "vendor", "tags",
               "monitoring_endpoints", "notes", "is_demo", "created_at", "updated_at"]


class ContactBriefSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Contact
        fields = ["id", "name", "title", "phone", "wechat", "email", "escalation_level"]


def own_fields(model: type[models.Model]) -> list[str]:
    """The fields a class adds to its base (ConfigItem or the plain record)."""
    names = [f.name for f in model._meta.local_fields
             if f.name not in CODED_FIELDS and not f.name.endswith("_ptr")]
    return names + [f.name for f in model._meta.local_many_to_many]


def serializer_for(model: type[models.Model]) -> type[CmdbSerializer]:
    """The serializer of one CMDB class, made from its model."""
    with translation.override(None):
        label = str(model._meta.verbose_name)
    attrs: dict[str, Any] = {"__module__": __name__, "__doc__": f"CMDB record: {label}."}
    if issubclass(model, ConfigItem):
        fields = ITEM_FIELDS + own_fields(model)
    elif model is Contact:
        fields = [f.name for f in model._meta.local_fields]
    else:
        fields = CODED_FIELDS[:3] + own_fields(model) + CODED_FIELDS[3:]
    if hasattr(model, "contacts") and model is not Contact:
        attrs["contacts"] = ContactBriefSerializer(
            many=True, read_only=True, help_text=_("Contacts in escalation order."))
        fields.append("contacts")
    attrs["Meta"] = type("Meta", (), {"model": model, "fields": fields})
    return type(f"{model.__name__}Serializer", (CmdbSerializer,), attrs)


# --- cross-class items and relations ------------------------------------------------

class ItemSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """Any configuration item, with the fields every class shares."""

    serializer_related_field = RefField
    tags = JSON_FIELDS["tags"](read_only=True)
    monitoring_endpoints = JSON_FIELDS["monitoring_endpoints"](read_only=True)
    api_url = serializers.SerializerMethodField(
        help_text=_("The item in the API of its class, with all its fields."))

    class Meta:
        model = ConfigItem
        fields = [*ITEM_FIELDS, "api_url"]
        read_only_fields = fields

    def get_api_url(self, obj: ConfigItem) -> str:
        from careops.cmdb.api.urls import detail_url

        return detail_url(obj, self.context.get("request"))


class RelationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """``source type target``: written through careops.cmdb.actions.relations."""

    source = RefField(queryset=ConfigItem.objects.all())  # type: ignore[assignment]
    target = RefField(queryset=ConfigItem.objects.all())

    class Meta:
        model = Relation
        fields = ["id", "source", "type", "target", "note", "is_demo", "created_at"]
        # Duplicates, disallowed pairs and cycles are refused by the action, naming them.
        validators: list[Any] = []

    def create(self, validated_data: dict[str, Any]) -> Relation:
        request = self.context["request"]
        with denied_with_reason():
            return relation_actions.add(
                request.user, validated_data["source"], validated_data["type"],
                validated_data["target"], note=validated_data.get("note", ""),
                request=request)


class DependentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    item = serializers.DictField(allow_null=True, help_text=_(
        "The dependent item {id, code, name, kind}; null for plain records."))
    label = serializers.CharField()  # type: ignore[assignment]
    how = serializers.CharField(help_text=_("The relation or field that points at the item."))
    removed_with_cascade = serializers.BooleanField(help_text=_(
        "Deleted by a cascade (true) or merely detached from the item (false)."))


class InUseBodySerializer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    dependents = DependentSerializer(many=True)


class InUseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    error = InUseBodySerializer()


def dependent_data(dependent: item_actions.Dependent) -> dict[str, Any]:
    return {"item": brief(dependent.item) if dependent.item is not None else None,
            "label": dependent.label, "how": dependent.how,
            "removed_with_cascade": dependent.removed_with_cascade}


# --- impact -------------------------------------------------------------------------

class ImpactItemSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    path = serializers.ListField(child=serializers.CharField(), help_text=_(
        "Codes from the failed item to this one, following the dependencies."))


class ImpactSystemSerializer(ImpactItemSerializer):
    criticality = serializers.IntegerField(help_text=_("1 (critical) to 4 (low)."))
    patient_safety = serializers.BooleanField()
    hours_of_use = serializers.CharField()
    value_per_hour = serializers.DecimalField(max_digits=12, decimal_places=2)


class ImpactDepartmentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    systems = serializers.ListField(child=serializers.CharField(), help_text=_(
        "Codes of the affected systems that serve this department."))


class ImpactSerializer(serializers.Serializer):  # type: ignore[type-arg]
    item = serializers.DictField(help_text=_("The failed item {id, code, name, kind}."))
    systems = ImpactSystemSerializer(many=True)
    departments = ImpactDepartmentSerializer(many=True)
    interfaces = ImpactItemSerializer(many=True)
    items = ImpactItemSerializer(many=True, help_text=_("Every affected item."))
    worst_criticality = serializers.IntegerField(allow_null=True, help_text=_(
        "The most critical affected system's criticality (1 is the worst); null when no "
        "system is affected."))
    patient_safety = serializers.BooleanField(help_text=_(
        "Whether an affected system is flagged patient-safety."))
    value_per_hour = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_(
        "Sum of the business value per hour of the affected systems (CNY)."))
    hidden = serializers.IntegerField(help_text=_(
        "Affected items outside what you may see: counted in the totals, not listed."))


# --- file_sd ------------------------------------------------------------------------

class FileSdLabelsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    job = serializers.CharField()
    careops_zone = serializers.CharField()
    careops_item = serializers.CharField()
    careops_kind = serializers.CharField()
    careops_systems = serializers.CharField(help_text=_("Comma-separated system codes."))
    __metrics_path__ = serializers.CharField(required=False)


class FileSdGroupSerializer(serializers.Serializer):  # type: ignore[type-arg]
    targets = serializers.ListField(child=serializers.CharField())
    labels = FileSdLabelsSerializer()
