"""REST API of contract profiles, at /api/v1/contracts/ (docs/contracts.md, "API").

GET lists and retrieves (scoped by careops.core.access); POST with ``{"yaml": …}`` creates
the contract named by the document's ``code`` or adds a version to it; GET
``{id}/versions/`` lists every version. Invalid documents answer 400 with one field per
offending path, each message starting with its line.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from careops.contracts import sla as contract_sla
from careops.contracts.actions import profiles
from careops.contracts.api.serializers import (
    LoadSerializer,
    PreviewQuerySerializer,
    PreviewRowSerializer,
    ProfileSerializer,
    VersionSerializer,
)
from careops.contracts.models import ContractProfile, ContractVersion
from careops.core import access
from careops.core import calendars as cals
from careops.logic.contract import ContractInvalid


def invalid(exc: ContractInvalid) -> exceptions.ValidationError:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        fields.setdefault(error.path or "yaml", []).append(f"line {error.line}: {error.message}")
    return exceptions.ValidationError(fields)


class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet[ContractProfile]):
    serializer_class = ProfileSerializer
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
    filterset_fields = ["status", "vendor__code"]

    def get_queryset(self) -> QuerySet[ContractProfile]:
        queryset = ContractProfile.objects.select_related("vendor").prefetch_related(
            "systems", Prefetch("versions", queryset=ContractVersion.objects.select_related(
                "created_by").order_by("-number")))
        return access.scope(self.request.user, queryset)

    @extend_schema(request=LoadSerializer, responses={201: ProfileSerializer,
                                                       200: ProfileSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = LoadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            result = profiles.load_profile(request.user, payload.validated_data["yaml"],
                                           request=request._request,
                                           valid_from=payload.validated_data.get("valid_from"))
        except ContractInvalid as exc:
            raise invalid(exc) from None
        body = ProfileSerializer(result.version.profile).data
        return Response(body, status=status.HTTP_201_CREATED if result.created
                        else status.HTTP_200_OK)

    @extend_schema(responses=VersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, code: str | None = None) -> Response:
        profile = self.get_object()
        return Response(VersionSerializer(profile.versions.select_related("created_by"),
                                          many=True).data)

    @extend_schema(parameters=[PreviewQuerySerializer],
                   responses=PreviewRowSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="sla-preview")
    def sla_preview(self, request: Request, code: str | None = None) -> Response:
        """Every SLA target of a ticket of ``kind`` at ``priority`` opened at ``opened``
        under this contract's current version, with its due instant (as ``careops sla
        preview``)."""
        profile = self.get_object()
        query = PreviewQuerySerializer(data={
            "kind": request.query_params.get("kind"),
            "priority": request.query_params.get("priority"),
            "opened": request.query_params.get("opened"),
            "pause": request.query_params.getlist("pause"),
        })
        query.is_valid(raise_exception=True)
        data = query.validated_data
        try:
            contract = contract_sla.stored_contract(profile)
            _row, calendar = cals.get_calendar(contract.working_calendar)
            try:
                pauses = cals.parse_pause_args(data["pause"], calendar.tz, option="")
            except ValueError as exc:
                raise exceptions.ValidationError({"pause": [str(exc).strip()]}) from None
            rows = contract_sla.preview(contract, data["kind"], data["priority"],
                                        data["opened"], pauses)
        except (contract_sla.PreviewError, cals.CalendarNotFound) as exc:
            raise exceptions.ValidationError({"priority": [str(exc)]}) from None
        return Response(PreviewRowSerializer([
            {"target": r.target, "due": r.due, "estimated": bool(r.estimated_years),
             "missing_years": list(r.estimated_years)} for r in rows], many=True).data)
