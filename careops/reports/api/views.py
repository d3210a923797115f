"""REST API of the documents, at /api/v1/reports/ (docs/reports.md, "API").

``GET tickets/{number}/record/?format=docx|pdf|xlsx`` and
``GET contracts/{code}/months/{YYYY-MM}/?format=docx|pdf|xlsx`` answer the file; an
unknown format or month is a 400 naming the field, a ticket or contract the caller
may not see a 404. ``format`` is the document's format here, not DRF's renderer
switch (the negotiation below ignores it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from careops.core.api.permissions import cap_permission
from careops.core.roles import Cap
from careops.reports import actions
from careops.reports.actions.exports import check_format
from careops.reports.render import FORMATS
from careops.reports.views.downloads import file_response
from careops.servicedesk import scoping
from careops.servicedesk.models import Ticket


class IgnoreFormatParameter(BaseContentNegotiation):
    """Always JSON for errors; ``?format=`` chooses the document, not the renderer."""

    def select_parser(self, request: Any, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Any, renderers: Iterable[BaseRenderer],
                        format_suffix: str | None = None) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, str(renderer.media_type)


FORMAT_PARAMETER = OpenApiParameter("format", OpenApiTypes.STR, enum=list(FORMATS),
                                    default="pdf", description="docx, pdf or xlsx")


class DocumentView(APIView):
    permission_classes = [cap_permission(Cap.VIEW_OPERATIONS)]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = IgnoreFormatParameter

    def fmt(self, request: Request) -> str:
        return check_format(str(request.query_params.get("format", "pdf")))


class TicketRecordView(DocumentView):
    @extend_schema(parameters=[FORMAT_PARAMETER], responses={(200, "*/*"): OpenApiTypes.BINARY},
                   summary="The maintenance record of a ticket")
    def get(self, request: Request, number: str) -> HttpResponse:
        ticket = get_object_or_404(scoping.visible(request.user, Ticket.objects.all()),
                                   number=number)
        rendered = actions.export_ticket_record(request.user, ticket, self.fmt(request),
                                                request=request._request)
        return file_response(rendered)


class ContractMonthView(DocumentView):
    @extend_schema(parameters=[FORMAT_PARAMETER], responses={(200, "*/*"): OpenApiTypes.BINARY},
                   summary="The monthly list of maintenance records of a contract")
    def get(self, request: Request, code: str, month: str) -> HttpResponse:
        profile = get_object_or_404(actions.visible_contracts(request.user), code=code)
        rendered = actions.export_contract_month(request.user, profile, month,
                                                 self.fmt(request), request=request._request)
        return file_response(rendered)
