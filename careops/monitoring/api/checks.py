"""REST API of checks, under /api/v1/monitoring/checks/ (docs/monitoring-collect.md).

Reading needs ``Cap.VIEW_OPERATIONS`` and shows the checks of the items the user may see;
parameters that may carry a secret (headers' values, a SOAP body, an HL7 message, text
sent to a port) are masked for readers who may not manage checks. Changes need
``Cap.MANAGE_MONITORING`` (checked again in
careops.monitoring.actions.checks, which validates with the collector's own parsing and
audits). A bad target or parameter is a 400 naming the field; a managed check (from the
item's monitoring endpoints) takes only interval, timeout, zone, name and enabled."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from careops.cmdb.models import ConfigItem
from careops.core import access
from careops.core.models import Secret
from careops.core.roles import Cap, has_cap
from careops.monitoring.actions import checks as actions
from careops.monitoring.choices import CheckKind
from careops.monitoring.models import Check


class CheckPermission(permissions.BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return has_cap(request.user, Cap.VIEW_OPERATIONS)
        return has_cap(request.user, Cap.MANAGE_MONITORING)


class CheckSerializer(serializers.ModelSerializer[Check]):
    item_code = serializers.CharField(source="item.code", read_only=True)
    credential_name = serializers.CharField(source="credential.name", read_only=True,
                                            default=None)

    def to_representation(self, instance: Check) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not has_cap(request.user, Cap.MANAGE_MONITORING):
            data["params"] = masked_params(data.get("params"))
        return data

    class Meta:
        model = Check
        fields = ["id", "item", "item_code", "kind", "name", "target", "params",
                  "credential", "credential_name", "interval_s", "timeout_s", "zone",
                  "enabled", "managed", "next_run_at", "last_run_at", "last_status",
                  "last_error", "last_duration_ms", "last_samples", "consecutive_failures",
                  "created_at", "updated_at"]
        read_only_fields = fields


HIDDEN = "••••••"
# Parameters that may carry a secret the credential cannot (a bearer token in a header,
# WS-Security in a SOAP envelope, an HL7 message with real data): shown to who manages.
SENSITIVE_PARAMS = ("body", "message", "send")


def masked_params(params: Any) -> Any:
    if not isinstance(params, dict):
        return params
    shown = dict(params)
    for name in SENSITIVE_PARAMS:
        if shown.get(name):
            shown[name] = HIDDEN
    if isinstance(shown.get("headers"), dict):
        shown["headers"] = {k: HIDDEN for k in shown["headers"]}
    return shown


class CheckWriteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """What a create or change takes (the schema; the action validates)."""

    item = serializers.CharField(help_text="the item's id or CMDB code (create only)")
    kind = serializers.ChoiceField(choices=CheckKind.choices)
    name = serializers.CharField(required=False, allow_blank=True)
    target = serializers.CharField()
    params = serializers.DictField(required=False, help_text="docs/monitoring-collect.md")
    credential = serializers.CharField(required=False, allow_null=True,
                                       help_text="a secret's id or name (password or SSH key)")
    interval_s = serializers.IntegerField(required=False)
    timeout_s = serializers.FloatField(required=False)
    zone = serializers.CharField(required=False, allow_blank=True)
    enabled = serializers.BooleanField(required=False)


class CheckFilterSet(django_filters.FilterSet):  # type: ignore[misc]
    item_code = django_filters.CharFilter(field_name="item__code")

    class Meta:
        model = Check
        fields = ["item", "item_code", "kind", "last_status", "enabled", "managed", "zone"]


def _data(request: Request, *, creating: bool) -> dict[str, Any]:
    """The check fields of the request body: the item by id or code (when creating), the
    credential by id or name."""
    if not isinstance(request.data, dict):
        raise exceptions.ValidationError({"_": [_("Send a JSON object.")]})
    allowed = actions.EDITABLE | ({"item"} if creating else set())
    unknown = sorted(set(request.data) - allowed - {"id"})
    if unknown:
        raise exceptions.ValidationError({unknown[0]: [_("This field cannot be set.")]})
    data = {k: v for k, v in request.data.items() if k in allowed}
    if creating:
        wanted = data.get("item")
        found = None
        if wanted not in (None, ""):
            items = access.scope(request.user, ConfigItem.objects.all())
            found = (items.filter(pk=wanted).first() if str(wanted).isdigit()
                     else items.filter(code=str(wanted)).first())
        if found is None:
            raise exceptions.ValidationError({"item": [_("No such item.")]})
        data["item"] = found
    if "credential" in data:
        wanted = data["credential"]
        if wanted in (None, ""):
            data["credential"] = None
        else:
            secret = (Secret.objects.filter(pk=wanted).first() if str(wanted).isdigit()
                      else Secret.objects.filter(name=str(wanted)).first())
            if secret is None:
                raise exceptions.ValidationError({"credential": [_("No such secret.")]})
            data["credential"] = secret
    for name in ("kind", "target"):
        if creating and not isinstance(data.get(name), str):
            raise exceptions.ValidationError({name: [_("This field is required.")]})
    return data


@extend_schema_view(
    list=extend_schema(summary="List checks (filter by item, item_code, kind, last_status, "
                               "enabled, managed, zone)"),
    retrieve=extend_schema(summary="One check with its last result"),
    create=extend_schema(summary="Add a check to an item; a bad target or parameter is "
                                 "refused naming the field",
                         request=CheckWriteSerializer, responses={201: CheckSerializer}),
    update=extend_schema(summary="Change a check", request=CheckWriteSerializer),
    partial_update=extend_schema(summary="Change fields of a check",
                                 request=CheckWriteSerializer),
    destroy=extend_schema(summary="Delete a hand-made check", responses={204: None}),
)
class CheckViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
    serializer_class = CheckSerializer
    permission_classes = [CheckPermission]
    filterset_class = CheckFilterSet

    def get_queryset(self) -> QuerySet[Check]:
        return access.scope(self.request.user, Check.objects.select_related(
            "item", "credential").order_by("item__code", "kind", "target"))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _data(request, creating=True)
        item = data.pop("item")
        check = actions.create_check(request.user, item, request=request,
                                     kind=data.pop("kind"), target=data.pop("target"), **data)
        return Response(CheckSerializer(check, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        check = actions.update_check(request.user, self.get_object(), request=request,
                                     **_data(request, creating=False))
        return Response(CheckSerializer(check, context={"request": request}).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actions.delete_check(request.user, self.get_object(), request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Run a check now (its collector takes it on its next tick)",
                   request=None, responses=CheckSerializer)
    @action(detail=True, methods=["post"])
    def run(self, request: Request, pk: Any = None) -> Response:
        check = actions.run_check_now(request.user, self.get_object(), request=request)
        return Response(CheckSerializer(check, context={"request": request}).data)
