"""POST /api/v1/cmdb/hosts/{id}/discover/ — discover a host's facts, and optionally save
some of them (docs/cmdb.md, "Discovery").

    {"method": "node_exporter"}                          → the facts and the differences
    {"method": "ssh", "apply": ["os_version", "disks"]}  → the same, and those fields saved
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from careops.cmdb import discovery
from careops.cmdb.actions.discovery import apply_discovery
from careops.cmdb.models import Host
from careops.core import access
from careops.logic.discovery import FIELDS, METHODS


class DiscoveryFailed(APIException):
    status_code = status.HTTP_502_BAD_GATEWAY
    default_code = "discovery_failed"
    default_detail = _("Discovery failed.")


class DiscoverRequestSerializer(serializers.Serializer):  # type: ignore[type-arg]
    method = serializers.ChoiceField(choices=METHODS, default="node_exporter")
    apply = serializers.ListField(child=serializers.ChoiceField(choices=FIELDS),
                                  required=False, default=list,
                                  help_text=_("Fields to save from what was discovered."))


class DiffRowSerializer(serializers.Serializer):  # type: ignore[type-arg]
    field = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    current = serializers.JSONField(allow_null=True)
    discovered = serializers.JSONField()
    changed = serializers.BooleanField()


class DiscoverResponseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    method = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    os_name = serializers.CharField(allow_null=True)
    warnings = serializers.ListField(child=serializers.CharField())
    facts = serializers.DictField()
    diff = DiffRowSerializer(many=True)
    applied = serializers.ListField(child=serializers.CharField())


class HostDiscoverView(APIView):
    @extend_schema(request=DiscoverRequestSerializer, responses=DiscoverResponseSerializer,
                   summary="Discover a host's OS, CPU, memory and disks",
                   description="Reads the host's node_exporter endpoint or logs in over SSH "
                               "with its credential; returns the differences with the record "
                               "and saves the fields listed in `apply` (audited). A host that "
                               "cannot be reached gives 502 with the reason.")
    def post(self, request: Request, pk: int) -> Response:
        host = get_object_or_404(Host.objects.select_related("credential"), pk=pk)
        if not access.can_view(request.user, host):
            raise Http404
        if not access.can_change(request.user, host):
            raise PermissionDenied
        body = DiscoverRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            facts = discovery.discover(host, body.validated_data["method"], actor=request.user)
        except discovery.DiscoveryError as exc:
            raise DiscoveryFailed(str(exc)) from None
        rows = discovery.diff_rows(host, facts)
        applied: list[str] = body.validated_data["apply"]
        if applied:
            try:
                apply_discovery(request.user, host, facts, applied, request=request)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"apply": exc.messages}) from None
        data: dict[str, Any] = {
            "method": facts.method, "source": facts.source, "os_name": facts.os_name,
            "warnings": list(facts.warnings), "facts": facts.values(),
            "diff": [{k: row[k] for k in ("field", "label", "current", "discovered",
                                            "changed")} for row in rows],
            "applied": applied,
        }
        return Response(data)
