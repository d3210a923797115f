"""Monitoring API: PromQL range queries (scoped to the items the user may see) and the
metric store's health.

``GET /api/v1/monitoring/query_range/?query=&start=&end=&step=[&item=]`` answers like
Prometheus' ``/api/v1/query_range`` (``{"status": "success", "data": {"resultType":
"matrix", "result": [{"metric": {…}, "values": [[unix_s, "value"], …]}]}}``). start and end
are Unix seconds or RFC 3339, step seconds or a duration (15s, 5m, 1h). Users who see every
item query everything; the others' expressions read only the series of their items (the
store applies the filter to every selector, so an aggregation never mixes in another
item). ``item`` limits the query to one item the user may see.
"""

from __future__ import annotations

import math
import re
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from careops.cmdb.models import ConfigItem
from careops.core import access
from careops.core.roles import Cap, has_cap
from careops.logic.metrics import Series
from careops.logic.promtext import format_value
from careops.monitoring.storage import StoreError, get_store
from careops.monitoring.storage import status as store_status

MAX_POINTS = 11_000  # per series, as Prometheus refuses more
MAX_QUERY = 2000
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class ViewOperations(permissions.BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(has_cap(request.user, Cap.VIEW_OPERATIONS))


def parse_time(name: str, raw: str | None) -> int:
    """Unix seconds (with a fraction) or RFC 3339 → ms; ValidationError naming ``name``."""
    if raw is None or not raw.strip():
        raise ValidationError({name: [_("This parameter is required.")]})
    text = raw.strip()
    try:
        seconds = float(text)
    except ValueError:
        parsed = parse_datetime(text)
        if parsed is None or parsed.tzinfo is None:
            raise ValidationError({name: [_(
                "Give Unix seconds or an RFC 3339 time with its offset.")]}) from None
        return int(parsed.timestamp() * 1000)
    if not math.isfinite(seconds) or not 0 <= seconds < 1e11:
        raise ValidationError({name: [_("The time is out of range.")]})
    return int(seconds * 1000)


def parse_step(raw: str | None) -> int:
    """Seconds or a duration such as 15s, 5m, 1h30m → ms."""
    if raw is None or not raw.strip():
        raise ValidationError({"step": [_("This parameter is required.")]})
    text = raw.strip()
    try:
        seconds = float(text)
    except ValueError:
        parts = _DURATION.findall(text)
        if not parts or "".join(n + u for n, u in parts) != text:
            raise ValidationError({"step": [_(
                "Give seconds or a duration such as 15s, 5m or 1h.")]}) from None
        seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValidationError({"step": [_("The step must be more than zero.")]})
    return max(1, int(seconds * 1000))


def matrix(result: list[Series]) -> dict[str, Any]:
    return {"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": dict(s.labels), "values": [[ts / 1000, format_value(v)] for ts, v in s.points]}
        for s in result]}}


class QueryRangeView(APIView):
    permission_classes = [permissions.IsAuthenticated, ViewOperations]

    @extend_schema(
        parameters=[
            OpenApiParameter("query", OpenApiTypes.STR, required=True,
                             description="PromQL expression"),
            OpenApiParameter("start", OpenApiTypes.STR, required=True,
                             description="Unix seconds or RFC 3339"),
            OpenApiParameter("end", OpenApiTypes.STR, required=True,
                             description="Unix seconds or RFC 3339"),
            OpenApiParameter("step", OpenApiTypes.STR, required=True,
                             description="seconds or a duration (15s, 5m)"),
            OpenApiParameter("item", OpenApiTypes.INT, required=False,
                             description="only the series of this configuration item"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        query = (params.get("query") or "").strip()
        if not query:
            raise ValidationError({"query": [_("This parameter is required.")]})
        if len(query) > MAX_QUERY:
            raise ValidationError({"query": [_("The expression is longer than %(max)d "
                                               "characters.") % {"max": MAX_QUERY}]})
        start = parse_time("start", params.get("start"))
        end = parse_time("end", params.get("end"))
        step = parse_step(params.get("step"))
        if end < start:
            raise ValidationError({"end": [_("The end is before the start.")]})
        if (end - start) // step + 1 > MAX_POINTS:
            raise ValidationError({"step": [_(
                "Too many points: at most %(max)d per series; make the step larger.")
                % {"max": MAX_POINTS}]})
        item_ids = self._scope(request, params.get("item"))
        store = get_store()
        try:
            if item_ids is None:
                result = store.query_range(query, start, end, step)
            else:
                result = store.query_range_scoped(query, start, end, step, item_ids=item_ids)
        except StoreError as exc:
            reason = str(exc)
            if " 400:" in reason or " 422:" in reason:
                raise ValidationError({"query": [reason]}) from None
            return Response({"error": {"status": 503, "code": "store_unavailable",
                                       "message": reason}},
                            status=status.HTTP_503_SERVICE_UNAVAILABLE)
        except (ValueError, SyntaxError) as exc:  # the embedded evaluator's refusals
            raise ValidationError({"query": [str(exc)[:300]]}) from None
        return Response(matrix(result))

    @staticmethod
    def _scope(request: Request, item_param: str | None) -> set[int] | None:
        """None: every item; else the ids of the items the query may read."""
        if item_param not in (None, ""):
            try:
                pk = int(str(item_param))
            except ValueError:
                raise ValidationError({"item": [_("Give the number of an item.")]}) from None
            if not access.scope(request.user, ConfigItem.objects.filter(pk=pk)).exists():
                raise NotFound(_("No such configuration item."))
            return {pk}
        if access.visible_system_ids(request.user) is None:
            return None
        return set(access.scope(request.user, ConfigItem.objects.all())
                   .values_list("pk", flat=True))


class StoreHealthSerializer(serializers.Serializer[Any]):
    backend = serializers.CharField()
    reachable = serializers.BooleanField()
    buffered = serializers.IntegerField()
    dropped = serializers.IntegerField()
    written = serializers.IntegerField()
    last_error = serializers.CharField()
    last_error_at = serializers.DateTimeField(allow_null=True)
    last_flush_at = serializers.DateTimeField(allow_null=True)
    rolled_up_at = serializers.DateTimeField(allow_null=True)


class StoreHealthView(APIView):
    """The metric store's health as the collectors last reported it: reachable, samples
    buffered while it was down, samples lost beyond the buffer's bound."""

    permission_classes = [permissions.IsAuthenticated, ViewOperations]

    @extend_schema(responses={200: StoreHealthSerializer})
    def get(self, request: Request) -> Response:
        current = store_status.current()
        return Response(StoreHealthSerializer(current).data)
