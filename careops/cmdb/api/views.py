"""REST API of the CMDB (docs/cmdb.md, "REST API").

One viewset base serves every class; ``viewset_for(model)`` configures it. Reads are
scoped with careops.core.access; writes go through careops.cmdb.actions, which
validate, check rights and audit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import translation
from django_filters import ModelChoiceFilter, ModelMultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from careops.cmdb import file_sd
from careops.cmdb.actions import items as item_actions
from careops.cmdb.actions import relations as relation_actions
from careops.cmdb.api.serializers import (
    FileSdGroupSerializer,
    ImpactSerializer,
    InUseSerializer,
    ItemSerializer,
    RelationSerializer,
    brief,
    denied_with_reason,
    dependent_data,
    serializer_for,
)
from careops.cmdb.filtersets import FILTERSETS
from careops.cmdb.graph import graph, impact_of
from careops.cmdb.models import BusinessSystem, ConfigItem, Relation
from careops.cmdb.validators import EXPORTER_JOBS
from careops.core import access
from careops.core.roles import Cap, has_cap

TRUE_WORDS = ("1", "true", "yes", "on")


class CmdbPermission(permissions.BasePermission):
    """Reading needs VIEW_OPERATIONS (then access.scope decides what is seen); writing
    needs the capability the view names for the action. The actions check again,
    object by object."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not has_cap(user, Cap.VIEW_OPERATIONS):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if getattr(view, "action", "") in ("create", "destroy"):
            return has_cap(user, view.create_cap)
        return has_cap(user, view.change_cap)


class CodeAwareFilterBackend(DjangoFilterBackend):  # type: ignore[misc]
    """Filters on related records accept codes as well as ids: ``?host=SRV-LIS``."""

    def get_filterset_kwargs(self, request: Request, queryset: models.QuerySet[Any],
                             view: Any) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_filterset_kwargs(request, queryset, view)
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return kwargs
        data = kwargs["data"].copy()
        for name, flt in filterset_class.base_filters.items():
            if (name not in data
                    or not isinstance(flt, (ModelChoiceFilter, ModelMultipleChoiceFilter))):
                continue
            model = flt.queryset.model
            if not any(f.name == "code" for f in model._meta.fields):
                continue
            values = data.getlist(name)
            codes = [v for v in values if not v.isdigit()]
            pks = dict(model._default_manager.filter(code__in=codes).values_list("code", "pk"))
            data.setlist(name, [str(pks.get(v, v)) for v in values])
        kwargs["data"] = data
        return kwargs


def optimised(queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """Join every foreign key and prefetch every many-to-many the serializers show, so
    a list costs the same number of queries for 5 rows or 500."""
    model = queryset.model
    joins = [f.name for f in model._meta.fields if f.many_to_one]
    prefetch = [f.name for f in model._meta.many_to_many]
    if any(r.name == "contacts" for r in model._meta.related_objects):
        prefetch.append("contacts")
    return queryset.select_related(*joins).prefetch_related(*prefetch)


def object_by_id_or_code(view: Any) -> Any:
    """The record named in the URL by its id (a number) or its code, among those the
    user may see (404 otherwise)."""
    value = str(view.kwargs[view.lookup_url_kwarg or view.lookup_field])
    queryset = view.get_queryset()
    if value.isdigit():
        condition = Q(pk=int(value))
    elif any(f.name == "code" for f in queryset.model._meta.fields):
        condition = Q(code=value)
    else:
        raise Http404
    obj = queryset.filter(condition).first()
    if obj is None:
        raise Http404
    view.check_object_permissions(view.request, obj)
    return obj


LOOKUP_PARAM = OpenApiParameter(
    "id", OpenApiTypes.STR, OpenApiParameter.PATH,
    description="The record's id, or its code (a number is always an id).")
CASCADE_PARAM = OpenApiParameter(
    "cascade", OpenApiTypes.BOOL, OpenApiParameter.QUERY, required=False,
    description="Also remove what depends on the record: relations to it are deleted, "
                "references to it cleared, interfaces of a deleted system deleted.")


class CmdbViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
    """Base of every class's endpoint; see ``viewset_for``."""

    model: type[models.Model] = ConfigItem
    create_cap = Cap.MANAGE_ITEMS  # create and delete
    change_cap = Cap.MANAGE_ITEMS  # update
    permission_classes = [CmdbPermission]
    filter_backends = [CodeAwareFilterBackend]
    lookup_value_regex = r"[-A-Za-z0-9_]+"

    def get_queryset(self) -> models.QuerySet[Any]:
        return access.scope(self.request.user, optimised(self.model._default_manager.all()))

    def get_object(self) -> Any:
        return object_by_id_or_code(self)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        cascade = request.query_params.get("cascade", "").lower() in TRUE_WORDS
        try:
            with denied_with_reason():
                item_actions.delete(request.user, obj, cascade=cascade, request=request)
        except item_actions.ItemInUse as exc:
            return Response({"error": {
                "status": status.HTTP_409_CONFLICT, "code": "in_use", "message": str(exc),
                "dependents": [dependent_data(d) for d in exc.dependents]}},
                status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)


def viewset_for(model: type[models.Model]) -> type[CmdbViewSet]:
    """The API endpoint of one CMDB class."""
    is_item = issubclass(model, ConfigItem)
    with translation.override(None):
        name = str(model._meta.verbose_name_plural)
    attrs: dict[str, Any] = {
        "__module__": __name__,
        "__doc__": f"CMDB {name}.",
        "model": model,
        "serializer_class": serializer_for(model),
        "filterset_class": FILTERSETS[model],
        # Vendor engineers edit their systems' items; only MANAGE_ITEMS creates and deletes.
        "change_cap": Cap.CHANGE_OPERATIONS if is_item else Cap.MANAGE_ITEMS,
    }
    viewset = type(f"{model.__name__}ViewSet", (CmdbViewSet,), attrs)
    return extend_schema_view(
        list=extend_schema(summary=f"List {name}"),
        create=extend_schema(summary=f"Create one of the {name}"),
        retrieve=extend_schema(summary=f"One of the {name}", parameters=[LOOKUP_PARAM]),
        update=extend_schema(summary=f"Replace one of the {name}", parameters=[LOOKUP_PARAM]),
        partial_update=extend_schema(summary=f"Change fields of one of the {name}",
                                     parameters=[LOOKUP_PARAM]),
        destroy=extend_schema(
            summary=f"Delete one of the {name}", parameters=[LOOKUP_PARAM, CASCADE_PARAM],
            responses={204: None, 409: OpenApiResponse(
                InUseSerializer, description="Still in use; the dependents are listed. "
                                             "Repeat with ?cascade=true to remove them.")}),
    )(viewset)


# --- relations ----------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="List relations (filter by source, target, type)"),
    create=extend_schema(summary="Relate two items; refused naming a cycle or a bad pair"),
    retrieve=extend_schema(summary="One relation"),
    destroy=extend_schema(summary="Remove a relation", responses={204: None}),
)
class RelationViewSet(mixins.CreateModelMixin, mixins.ListModelMixin,
                      mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                      viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Typed relations between configuration items."""

    serializer_class = RelationSerializer
    permission_classes = [CmdbPermission]
    filter_backends = [CodeAwareFilterBackend]
    filterset_class = FILTERSETS[Relation]
    # Vendor engineers relate their own items (the action checks which).
    create_cap = Cap.CHANGE_OPERATIONS
    change_cap = Cap.CHANGE_OPERATIONS

    def get_queryset(self) -> models.QuerySet[Relation]:
        queryset = Relation.objects.select_related("source", "target")
        user = self.request.user
        if access.visible_system_ids(user) is None:
            return queryset
        visible = access.scope(user, ConfigItem.objects.all()).values("pk")
        return queryset.filter(source__in=visible, target__in=visible)

    def perform_destroy(self, instance: Relation) -> None:
        with denied_with_reason():
            relation_actions.remove(self.request.user, instance, request=self.request)


# --- every item, and impact ----------------------------------------------------------

def impact_data(item: ConfigItem, user: Any) -> dict[str, Any]:
    """The impact of ``item`` failing, as the API shows it (docs/cmdb.md)."""
    impact = impact_of(item)
    nodes = graph().nodes
    affected = set(impact.items) | set(impact.systems)
    if access.visible_system_ids(user) is None:
        visible = affected
    else:
        visible = set(access.scope(user, ConfigItem.objects.filter(pk__in=sorted(affected)))
                      .values_list("pk", flat=True))

    def path(pk: int) -> list[str]:
        return [nodes[step].code for step in impact.path_to(pk)]

    systems = {s.pk: s for s in BusinessSystem.objects.filter(
        pk__in=sorted(impact.systems)).prefetch_related("departments")}
    shown = {i.pk: i for i in ConfigItem.objects.filter(pk__in=sorted(visible - {item.pk}))}

    def entry(obj: ConfigItem) -> dict[str, Any]:
        return {"id": obj.pk, "code": obj.code, "name": obj.name, "kind": obj.kind,
                "path": path(obj.pk)}

    system_rows = []
    departments: dict[int, dict[str, Any]] = {}
    for system in sorted((s for pk, s in systems.items() if pk in visible),
                         key=lambda s: (s.criticality, s.code)):
        system_rows.append({**entry(system), "criticality": system.criticality,
                            "patient_safety": system.patient_safety,
                            "hours_of_use": system.hours_of_use,
                            "value_per_hour": str(system.value_per_hour)})
        for department in system.departments.all():
            row = departments.setdefault(department.pk, {
                "id": department.pk, "code": department.code, "name": department.name,
                "systems": []})
            row["systems"].append(system.code)
    ordered = sorted(shown.values(), key=lambda i: i.code)
    return {
        "item": brief(item),
        "systems": system_rows,
        "departments": sorted(departments.values(), key=lambda d: d["code"]),
        "interfaces": [entry(i) for i in ordered if i.pk in impact.interfaces],
        "items": [entry(i) for i in ordered],
        "worst_criticality": impact.worst_criticality,
        "patient_safety": impact.patient_safety,
        "value_per_hour": str(sum((s.value_per_hour for s in systems.values()),
                                  Decimal("0.00"))),
        "hidden": len(affected - visible),
    }


@extend_schema_view(
    list=extend_schema(summary="List configuration items of every class (filter by kind, q)"),
    retrieve=extend_schema(summary="One configuration item (any class)",
                           parameters=[LOOKUP_PARAM]),
)
class ItemViewSet(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """Every configuration item, whatever its class, with the fields they share."""

    serializer_class = ItemSerializer
    permission_classes = [CmdbPermission]
    filter_backends = [CodeAwareFilterBackend]
    filterset_class = FILTERSETS[ConfigItem]
    lookup_value_regex = CmdbViewSet.lookup_value_regex
    model = ConfigItem

    def get_queryset(self) -> models.QuerySet[ConfigItem]:
        return access.scope(self.request.user,
                            ConfigItem.objects.select_related("owner", "vendor"))

    def get_object(self) -> ConfigItem:
        return object_by_id_or_code(self)  # type: ignore[no-any-return]

    @extend_schema(responses=ImpactSerializer, parameters=[LOOKUP_PARAM],
                   summary="What is affected if this item fails",
                   description="Business systems (with the path of codes through which "
                               "each is hit), departments they serve, interfaces and every "
                               "other affected item; the worst criticality and whether "
                               "patient safety is involved. Incident priority is computed "
                               "from this.")
    @action(detail=True, methods=["get"])
    def impact(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        return Response(impact_data(item, request.user))


# --- Prometheus service discovery -----------------------------------------------------

class FileSdQuerySerializer(serializers.Serializer):  # type: ignore[type-arg]
    zone = serializers.ChoiceField(choices=list(file_sd.ZONES), required=False,
                                   help_text="Only this network zone.")
    job = serializers.ChoiceField(choices=list(EXPORTER_JOBS), required=False,
                                  help_text="Only this exporter job.")


class FileSdView(APIView):
    """Prometheus targets of the monitorable items, for http_sd_configs or file_sd."""

    permission_classes = [CmdbPermission]
    pagination_class = None

    @extend_schema(parameters=[FileSdQuerySerializer], responses=FileSdGroupSerializer(many=True),
                   summary="Prometheus file_sd / http_sd target groups",
                   description="The JSON list Prometheus http_sd_configs and file_sd_configs "
                               "read. Items in service only; grouped by network zone "
                               "(label careops_zone).")
    def get(self, request: Request) -> Response:
        query = FileSdQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(file_sd.groups(request.user, zone=query.validated_data.get("zone"),
                                       job=query.validated_data.get("job")))

