"""REST API of alert rules, under /api/v1/monitoring/rules/ (docs/monitoring-rules.md).

Reading needs ``Cap.VIEW_OPERATIONS``; changes and previews need ``Cap.MANAGE_MONITORING``
(checked again in careops.monitoring.actions.rules, which validates and audits). A bad
expression is refused with 400 and ``fields.expr`` = "Invalid expression at position N:
reason"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from careops.cmdb.models import ConfigItem
from careops.core.roles import Cap, has_cap
from careops.monitoring import evaluate
from careops.monitoring.actions import rules as actions
from careops.monitoring.models import Rule


class RulePermission(permissions.BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return has_cap(request.user, Cap.VIEW_OPERATIONS)
        return has_cap(request.user, Cap.MANAGE_MONITORING)


class RuleSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    item_code = serializers.CharField(source="item.code", read_only=True, default=None)

    class Meta:
        model = Rule
        fields = ["id", "name", "code", "kind", "expr", "operator", "threshold", "for_s",
                  "interval_s", "params", "severity", "item_kind", "item", "item_code",
                  "summary", "enabled", "is_default", "last_eval_at", "last_error",
                  "created_at", "updated_at"]
        read_only_fields = ["is_default", "last_eval_at", "last_error", "created_at",
                            "updated_at"]
        extra_kwargs: dict[str, Any] = {"code": {"validators": []}}


class RuleFilterSet(django_filters.FilterSet):  # type: ignore[misc]
    class Meta:
        model = Rule
        fields = ["kind", "severity", "item_kind", "enabled", "is_default"]


class PreviewRangeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    end = serializers.DateTimeField(required=False, help_text="Default: now.")
    days = serializers.IntegerField(required=False, min_value=1, max_value=31, default=7)


class PreviewSerializer(RuleSerializer):
    end = serializers.DateTimeField(required=False, help_text="Default: now.")
    days = serializers.IntegerField(required=False, min_value=1, max_value=31, default=7)

    class Meta(RuleSerializer.Meta):
        fields = [*RuleSerializer.Meta.fields, "end", "days"]


class IntervalSerializer(serializers.Serializer):  # type: ignore[type-arg]
    labels = serializers.DictField(child=serializers.CharField())
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(allow_null=True)
    peak_value = serializers.FloatField(allow_null=True)
    item_id = serializers.IntegerField(allow_null=True)


def _data(request: Request) -> dict[str, Any]:
    """The rule fields of the request body, the item given by id or code."""
    if not isinstance(request.data, dict):
        raise exceptions.ValidationError({"_": [_("Send a JSON object.")]})
    data = {k: v for k, v in request.data.items() if k in actions.FIELDS}
    item = data.get("item")
    if item not in (None, ""):
        found = (ConfigItem.objects.filter(pk=item).first() if str(item).isdigit()
                 else ConfigItem.objects.filter(code=str(item)).first())
        if found is None:
            raise exceptions.ValidationError({"item": [_("No such item.")]})
        data["item"] = found
    elif "item" in data:
        data["item"] = None
    return data


@extend_schema_view(
    list=extend_schema(summary="List alert rules (filter by kind, severity, item class, "
                               "enabled)"),
    retrieve=extend_schema(summary="One alert rule"),
    create=extend_schema(summary="Create an alert rule; a bad expression is refused naming "
                                 "the position"),
    update=extend_schema(summary="Replace an alert rule"),
    partial_update=extend_schema(summary="Change fields of an alert rule"),
    destroy=extend_schema(summary="Delete an alert rule", responses={204: None}),
)
class RuleViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
    serializer_class = RuleSerializer
    permission_classes = [RulePermission]
    filterset_class = RuleFilterSet

    def get_queryset(self) -> QuerySet[Rule]:
        return Rule.objects.select_related("item").order_by("code")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rule = actions.create_rule(request.user, request=request, **_data(request))
        return Response(RuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rule = actions.update_rule(request.user, self.get_object(), request=request,
                                   **_data(request))
        return Response(RuleSerializer(rule).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actions.delete_rule(request.user, self.get_object(), request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Enable an alert rule", request=None, responses=RuleSerializer)
    @action(detail=True, methods=["post"])
    def enable(self, request: Request, pk: Any = None) -> Response:
        rule = actions.set_rule_enabled(request.user, self.get_object(), True, request=request)
        return Response(RuleSerializer(rule).data)

    @extend_schema(summary="Disable an alert rule", request=None, responses=RuleSerializer)
    @action(detail=True, methods=["post"])
    def disable(self, request: Request, pk: Any = None) -> Response:
        rule = actions.set_rule_enabled(request.user, self.get_object(), False,
                                        request=request)
        return Response(RuleSerializer(rule).data)

    @extend_schema(summary="What an (unsaved) rule would have fired on the last days",
                   request=PreviewSerializer, responses=IntervalSerializer(many=True))
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        data = _data(request)
        data.setdefault("name", "preview")
        data.setdefault("code", "preview")
        rule = actions.unsaved_rule(data)
        body = request.data if isinstance(request.data, dict) else {}
        extra = PreviewRangeSerializer(data={k: body.get(k) for k in ("end", "days")
                                             if body.get(k) not in (None, "")})
        extra.is_valid(raise_exception=True)
        end: dt.datetime = extra.validated_data.get("end") or timezone.now()
        days = int(extra.validated_data.get("days") or 7)
        intervals = evaluate.preview(rule, end, days=days)
        return Response(IntervalSerializer(intervals, many=True).data)
