"""REST API of tickets, at /api/v1/tickets/ (docs/servicedesk.md, "API").

GET lists (filters of careops.servicedesk.filtersets.TicketFilterSet) and retrieves with
the live SLA ``clocks``; POST opens a ticket; POST ``{id}/transition/``,
``{id}/priority/``, ``{id}/assign/`` and ``{id}/comments/`` work it. An illegal
transition answers 409 with the allowed statuses; a stale ``version`` 409 "conflict"
with the current one. Every change goes through careops.servicedesk.actions.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from careops.core.api.pagination import CappedLimitOffsetPagination
from careops.logic.contract import Facts
from careops.servicedesk import actions, scoping
from careops.servicedesk.api.serializers import (
    AnalysisSerializer,
    AssignSerializer,
    ChangePlanSerializer,
    CommentSerializer,
    EventSerializer,
    LinkSerializer,
    OpenSerializer,
    PrioritySerializer,
    TicketDetailSerializer,
    TicketSerializer,
    TransitionSerializer,
    WaiveSerializer,
)
from careops.servicedesk.filtersets import TicketFilterSet
from careops.servicedesk.labels import illegal_transition_message, stale_message
from careops.servicedesk.models import Team, Ticket


def conflict(code: str, message: str, field: str, **extra: Any) -> Response:
    body = {"status": 409, "code": code, "message": message, "fields": {field: [message]},
            **extra}
    return Response({"error": body}, status=status.HTTP_409_CONFLICT)


def stale(exc: actions.ConflictError) -> Response:
    return conflict("conflict", stale_message(exc.current), "version", version=exc.current)


class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet[Ticket]):
    serializer_class = TicketSerializer
    filter_backends: list[Any] = []
    pagination_class = CappedLimitOffsetPagination

    def get_queryset(self) -> QuerySet[Ticket]:
        queryset: QuerySet[Ticket] = Ticket.objects.select_related(
            "reporter", "assignee", "team", "contract_version__profile").prefetch_related("items")
        queryset = scoping.visible(self.request.user, queryset)
        if self.action != "list":
            return queryset
        filters = TicketFilterSet(self.request.query_params, queryset=queryset,
                                  request=self.request)
        if not filters.is_valid():
            raise exceptions.ValidationError(filters.errors)
        return filters.qs  # type: ignore[no-any-return]

    def get_serializer_class(self) -> Any:
        return TicketDetailSerializer if self.action == "retrieve" else TicketSerializer

    def _detail(self, ticket: Ticket, code: int = status.HTTP_200_OK) -> Response:
        """The ticket with its clocks, allowed moves and timeline (internal notes only for
        those who work on it)."""
        fresh = (self.get_queryset().select_related("team")
                 .prefetch_related("linked_incidents", "problems").get(pk=ticket.pk))
        context = {**self.get_serializer_context(),
                   "internal": actions.may_work(self.request.user, fresh)}
        return Response(TicketDetailSerializer(fresh, context=context).data, status=code)

    @extend_schema(parameters=[
        OpenApiParameter("kind", str), OpenApiParameter("status", str, many=True),
        OpenApiParameter("priority", str), OpenApiParameter("assignee", str),
        OpenApiParameter("team", str), OpenApiParameter("contract", str),
        OpenApiParameter("system", str), OpenApiParameter("q", str),
        OpenApiParameter("opened_after", OpenApiTypes.DATETIME),
        OpenApiParameter("opened_before", OpenApiTypes.DATETIME),
        OpenApiParameter("queue", str, enum=["mine", "team", "unassigned", "open"]),
        OpenApiParameter("no_sla", bool), OpenApiParameter("mine", bool)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=TicketDetailSerializer)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ticket = self.get_object()     # 404 unless visible; _detail reads it with its relations
        return self._detail(ticket)

    @extend_schema(request=OpenSerializer, responses={201: TicketDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = OpenSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        facts = Facts(**data["facts"]) if data.get("facts") else None
        items = actions.items_by_code(request.user, data["items"])
        ticket = actions.open_ticket(
            request.user, data["kind"], data["title"], data["description"], items,
            channel=data["channel"], facts=facts, priority=data.get("priority") or None,
            reason=data["reason"], effort_person_days=data.get("effort_person_days"),
            request=request._request)
        return self._detail(ticket, status.HTTP_201_CREATED)

    @extend_schema(request=TransitionSerializer, responses={200: TicketDetailSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        ticket = self.get_object()
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        supervisor = None
        if data["supervisor"]:
            supervisor = get_user_model().objects.filter(username=data["supervisor"],
                                                         is_active=True).first()
            if supervisor is None:
                raise exceptions.ValidationError(
                    {"supervisor": [_("No active user with this name.")]})
        try:
            actions.transition(request.user, ticket, data["to"], data["note"],
                               expected_version=data["version"],
                               fallback_plan=data["fallback_plan"], supervisor=supervisor,
                               implementation_report=data["implementation_report"],
                               rollback_reason=data["rollback_reason"],
                               request=request._request)
        except actions.TransitionError as exc:
            return conflict("illegal_transition",
                            illegal_transition_message(exc.source, exc.target, exc.allowed),
                            "to", allowed=list(exc.allowed))
        except actions.ConflictError as exc:
            return stale(exc)
        return self._detail(ticket)

    @extend_schema(request=PrioritySerializer, responses={200: TicketDetailSerializer})
    @action(detail=True, methods=["post"])
    def priority(self, request: Request, pk: str | None = None) -> Response:
        ticket = self.get_object()
        payload = PrioritySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            actions.change_priority(request.user, ticket, data["priority"], data["reason"],
                                    expected_version=data.get("version"),
                                    request=request._request)
        except actions.ConflictError as exc:
            return stale(exc)
        return self._detail(ticket)

    @extend_schema(request=AssignSerializer, responses={200: TicketDetailSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        ticket = self.get_object()
        payload = AssignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        user = None
        if data["assignee"]:
            user = get_user_model().objects.filter(username=data["assignee"],
                                                   is_active=True).first()
            if user is None:
                raise exceptions.ValidationError(
                    {"assignee": [_("No active user with this name.")]})
        team: Team | str | None = ""
        if "team" in data:
            team = None
            if data["team"]:
                team = Team.objects.filter(name=data["team"]).first()
                if team is None:
                    raise exceptions.ValidationError({"team": [_("No team with this name.")]})
        try:
            actions.assign(request.user, ticket, user, team=team,
                           expected_version=data.get("version"), request=request._request)
        except actions.ConflictError as exc:
            return stale(exc)
        return self._detail(ticket)

    @extend_schema(request=CommentSerializer, responses={201: EventSerializer})
    @action(detail=True, methods=["post"])
    def comments(self, request: Request, pk: str | None = None) -> Response:
        ticket = self.get_object()
        payload = CommentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        event = actions.comment(request.user, ticket, payload.validated_data["text"],
                                payload.validated_data["public"], request=request._request)
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WaiveSerializer, responses={200: TicketDetailSerializer})
    @action(detail=True, methods=["post"])
    def waive(self, request: Request, pk: str | None = None) -> Response:
        """Declare a target not needed (on_site: fixed remotely). Hospital staff only."""
        ticket = self.get_object()
        payload = WaiveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            actions.waive_target(request.user, ticket, data["target"], data["reason"],
                                 expected_version=data.get("version"), request=request._request)
        except actions.ConflictError as exc:
            return stale(exc)
        return self._detail(ticket)

    @extend_schema(request=AnalysisSerializer, responses={200: TicketDetailSerializer})
    @action(detail=True, methods=["post"])
    def analysis(self, request: Request, pk: str | None = None) -> Response:
        """Submit (or correct) the fault analysis report; it meets the report target."""
        ticket = self.get_object()
        payload = AnalysisSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version", None)
        try:
            actions.submit_analysis(request.user, ticket, **data, expected_version=version,
                                    request=request._request)
        except actions.ConflictError as exc:
            return stale(exc)
        return self._detail(ticket)

    @extend_schema(request=ChangePlanSerializer, responses={200: TicketDetailSerializer})
    @action(detail=True, methods=["put"], url_path="change-plan")
    def change_plan(self, request: Request, pk: str | None = None) -> Response:
        """Write a change's application; editable until the hospital decides on it."""
        ticket = self.get_object()
        payload = ChangePlanSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version", None)
        try:
            actions.save_change_plan(request.user, ticket, **data, expected_version=version,
                                     request=request._request)
        except actions.ConflictError as exc:
            return stale(exc)
        return self._detail(ticket)

    @extend_schema(request=LinkSerializer, responses={200: TicketDetailSerializer})
    @action(detail=True, methods=["post"])
    def link(self, request: Request, pk: str | None = None) -> Response:
        """Link incidents (by number) to this problem, or unlink them."""
        problem = self.get_object()
        payload = LinkSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        actions.link_incidents_by_number(request.user, problem,
                                         payload.validated_data["incidents"],
                                         unlink=payload.validated_data["unlink"],
                                         request=request._request)
        return self._detail(problem)
