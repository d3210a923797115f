"""API of SLA breaches and survey results (docs/servicedesk.md, "API").

* ``GET /api/v1/tickets/breaches/`` — the breaches of the tickets the caller sees
  (filter ``cause``, ``ticket``);
* ``POST /api/v1/tickets/breaches/{id}/explain/`` ``{"cause", "explanation"}``;
* ``GET /api/v1/tickets/surveys/results/?month=YYYY-MM`` — the hospital's roles only.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from careops.core.api.permissions import cap_permission
from careops.core.roles import Cap
from careops.servicedesk.actions import escalation, surveys
from careops.servicedesk.models import BreachCause, SlaBreach


class BreachSerializer(serializers.ModelSerializer[SlaBreach]):
    ticket = serializers.CharField(source="ticket.number", read_only=True)

    class Meta:
        model = SlaBreach
        fields = ["id", "ticket", "target", "priority", "due_at", "breached_at", "cause",
                  "explanation", "remedy", "recorded_at"]
        read_only_fields = fields


class ExplainSerializer(serializers.Serializer[Any]):
    cause = serializers.ChoiceField(choices=[c for c in BreachCause.values
                                             if c != BreachCause.UNEXPLAINED])
    explanation = serializers.CharField(max_length=4000)


class BreachViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet[SlaBreach]):
    serializer_class = BreachSerializer
    permission_classes = [cap_permission(Cap.VIEW_OPERATIONS)]
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[SlaBreach]:
        queryset: QuerySet[SlaBreach] = escalation.visible_breaches(
            self.request.user).select_related("ticket").order_by("-breached_at", "id")
        cause = self.request.query_params.get("cause")
        if cause:
            if cause not in BreachCause.values:
                raise exceptions.ValidationError({"cause": [_("Unknown cause.")]})
            queryset = queryset.filter(cause=cause)
        number = self.request.query_params.get("ticket")
        if number:
            queryset = queryset.filter(ticket__number=number)
        return queryset

    @extend_schema(request=ExplainSerializer, responses=BreachSerializer)
    @action(detail=True, methods=["post"])
    def explain(self, request: Request, pk: str | None = None) -> Response:
        breach = self.get_object()
        data = ExplainSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        escalation.explain_breach(request.user, breach, data.validated_data["cause"],
                                  data.validated_data["explanation"], request=request)
        return Response(BreachSerializer(breach).data)


@extend_schema(parameters=[OpenApiParameter("month", str, description="YYYY-MM")],
               responses={200: dict})
@api_view(["GET"])
@permission_classes([cap_permission(Cap.VIEW_OPERATIONS)])
def survey_results(request: Request) -> Response:
    if not surveys.may_see_results(request.user):
        raise exceptions.PermissionDenied
    month = request.query_params.get("month", "")
    return Response(asdict(surveys.results(month)))
