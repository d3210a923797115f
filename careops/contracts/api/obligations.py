"""REST API of the obligation tracker, at /api/v1/contracts/obligations/
(docs/obligations.md, "Tracker").

GET lists (filters: contract, status incl. ``overdue``, kind, month ``YYYY-MM``,
assignee) and retrieves occurrences of the contracts the user sees; POST
``{id}/complete/`` (``evidence``: a ticket number or ``{"type": "servicedesk.ticket",
"id": N}``; ``evidence_file`` as multipart; ``note``), ``{id}/waive/`` (``reason``;
hospital only) and ``{id}/assign/`` (``assignee``: a user name or null). Every change goes
through careops.contracts.actions.obligations; one that finds the occurrence no longer
open answers 409 naming ``status``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from careops.contracts.actions import obligations as actions
from careops.contracts.api.serializers import (
    AssignOccurrenceSerializer,
    CompleteSerializer,
    OccurrenceSerializer,
    WaiveSerializer,
)
from careops.contracts.filtersets import ObligationFilterSet
from careops.contracts.models import ObligationOccurrence
from careops.contracts.scoping import visible_occurrences
from careops.core.api.permissions import cap_permission
from careops.core.roles import Cap


def not_open(exc: actions.NotOpen) -> Response:
    message = str(exc)
    return Response({"error": {"status": 409, "code": "not_open", "message": message,
                               "fields": {"status": [message]}, "current": exc.status}},
                    status=status.HTTP_409_CONFLICT)


class ObligationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet[ObligationOccurrence]):
    serializer_class = OccurrenceSerializer
    filterset_class = ObligationFilterSet
    permission_classes = [cap_permission(Cap.VIEW_OPERATIONS)]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[ObligationOccurrence]:
        queryset = ObligationOccurrence.objects.select_related(
            "profile", "version", "assignee", "done_by").order_by("due_at", "profile_id", "pk")
        return visible_occurrences(self.request.user, queryset)

    def _done(self, occurrence: ObligationOccurrence) -> Response:
        occurrence = self.get_queryset().get(pk=occurrence.pk)
        return Response(OccurrenceSerializer(occurrence,
                                             context=self.get_serializer_context()).data)

    @extend_schema(request=CompleteSerializer, responses=OccurrenceSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        occurrence = self.get_object()
        payload = CompleteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        evidence = actions.resolve_evidence(request.user, data.get("evidence"))
        try:
            actions.complete(request.user, occurrence, evidence=evidence,
                             evidence_file=data.get("evidence_file"), note=data["note"],
                             request=request._request)
        except actions.NotOpen as exc:
            return not_open(exc)
        return self._done(occurrence)

    @extend_schema(request=WaiveSerializer, responses=OccurrenceSerializer)
    @action(detail=True, methods=["post"])
    def waive(self, request: Request, pk: str | None = None) -> Response:
        occurrence = self.get_object()
        payload = WaiveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            actions.waive(request.user, occurrence, payload.validated_data["reason"],
                          request=request._request)
        except actions.NotOpen as exc:
            return not_open(exc)
        return self._done(occurrence)

    @extend_schema(request=AssignOccurrenceSerializer, responses=OccurrenceSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        occurrence = self.get_object()
        payload = AssignOccurrenceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        username = payload.validated_data["assignee"]
        user: Any = None
        if username:
            user = get_user_model().objects.filter(username=username, is_active=True).first()
            if user is None:
                raise exceptions.ValidationError({"assignee": [
                    _("No active user named “%(name)s”.") % {"name": username}]})
        try:
            actions.assign(request.user, occurrence, user, request=request._request)
        except actions.NotOpen as exc:
            return not_open(exc)
        return self._done(occurrence)
