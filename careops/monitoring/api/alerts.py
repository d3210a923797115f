"""The alert API (docs/monitoring-alerts.md, "API"):

* ``GET /api/v1/monitoring/alerts/`` — alerts the user may see, firing first; filters
  ``status``, ``severity``, ``source``, ``suppression``, ``item``, ``group``;
* ``GET/POST /api/v1/monitoring/maintenance-windows/`` — windows (creating one needs the
  manage-monitoring capability);
* ``POST /api/v1/monitoring/webhooks/alertmanager/`` and ``…/webhooks/zabbix/`` — the
  receivers, authenticated by their own bearer token (careops.monitoring.actions.receivers).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from careops.cmdb.models import ConfigItem
from careops.core import access
from careops.monitoring import receivers
from careops.monitoring.actions import alerts as pipeline
from careops.monitoring.actions import maintenance as windows
from careops.monitoring.actions import receivers as tokens
from careops.monitoring.filtersets import AlertFilterSet, live_order
from careops.monitoring.models import Alert, MaintenanceWindow, ReceiverKind


class AlertSerializer(serializers.ModelSerializer[Alert]):
    item: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True)
    ticket = serializers.SerializerMethodField()
    root_cause = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = ["id", "fingerprint", "source", "name", "labels", "annotations", "summary",
                  "severity", "status", "item", "rule_id", "check_id", "value", "starts_at",
                  "ends_at", "last_seen_at", "flapping", "suppression", "suppressed_by",
                  "group", "ticket", "root_cause"]

    def get_ticket(self, obj: Alert) -> str | None:
        group = obj.group
        return group.ticket.number if group is not None and group.ticket is not None else None

    def get_root_cause(self, obj: Alert) -> str:
        return obj.group.root_cause if obj.group is not None else ""


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   viewsets.GenericViewSet[Alert]):
    serializer_class = AlertSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Alert]:
        queryset = access.scope(self.request.user, Alert.objects.select_related(
            "item", "group", "group__ticket"))
        if self.action != "list":
            return queryset
        filters = AlertFilterSet(self.request.query_params, queryset=queryset,
                                 request=self.request)
        if not filters.is_valid():
            raise exceptions.ValidationError(filters.errors)
        return live_order(filters.qs)


class WindowSerializer(serializers.ModelSerializer[MaintenanceWindow]):
    items: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=ConfigItem.objects.all())
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True)
    change: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="number", read_only=True)

    class Meta:
        model = MaintenanceWindow
        fields = ["id", "items", "starts_at", "ends_at", "reason", "created_by", "change",
                  "created_at"]
        read_only_fields = ["created_at"]


class WindowViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    mixins.CreateModelMixin, viewsets.GenericViewSet[MaintenanceWindow]):
    serializer_class = WindowSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[MaintenanceWindow]:
        return access.scope(self.request.user, MaintenanceWindow.objects.select_related(
            "created_by", "change").prefetch_related("items"))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        window = windows.create_window(request.user, items=data["items"],
                                       starts_at=data["starts_at"], ends_at=data["ends_at"],
                                       reason=data["reason"], request=request)
        return Response(self.get_serializer(window).data, status=status.HTTP_201_CREATED)


class _Webhook(APIView):
    """A receiver: its own bearer token, the payload read whole before anything is
    written, then one pipeline batch."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    kind = ""

    def parse(self, payload: Any) -> list[Any]:  # pragma: no cover (overridden)
        raise NotImplementedError

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT,
                   auth=[], description="Authorization: Bearer <the receiver's token>")
    def post(self, request: Request) -> Response:
        receiver = tokens.authenticate(self.kind, request.headers.get("Authorization", ""))
        if receiver is None:
            raise exceptions.AuthenticationFailed(
                _("A valid receiver token is required (Authorization: Bearer …)."))
        signals = receivers.with_items(self.parse(request.data))
        alerts = pipeline.receive(signals)
        return Response({"received": len(signals), "alerts": [a.pk for a in alerts]})

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="careops"'


class AlertmanagerWebhook(_Webhook):
    kind = ReceiverKind.ALERTMANAGER

    def parse(self, payload: Any) -> list[Any]:
        return receivers.parse_alertmanager(payload)


class ZabbixWebhook(_Webhook):
    kind = ReceiverKind.ZABBIX

    def parse(self, payload: Any) -> list[Any]:
        return receivers.parse_zabbix(payload)
