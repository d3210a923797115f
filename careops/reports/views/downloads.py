"""Downloads of the service-desk documents (docs/reports.md). Thin: who may see the
ticket or contract is decided by the scoping helpers (404 for the others), the rest
by careops.reports.actions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from careops.core.roles import Cap
from careops.core.views.decorators import cap_required
from careops.reports import actions
from careops.reports.render import Rendered
from careops.servicedesk import scoping
from careops.servicedesk.models import Ticket


def file_response(rendered: Rendered) -> HttpResponse:
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = content_disposition_header(True, rendered.filename)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def bad_request(exc: ValidationError) -> HttpResponseBadRequest:
    text = "; ".join(f"{field}: {' '.join(messages)}"
                     for field, messages in exc.message_dict.items())
    return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")


@cap_required(Cap.VIEW_OPERATIONS)
@require_GET
def ticket_record(request: HttpRequest, number: str) -> HttpResponse:
    tickets = Ticket.objects.select_related("contract_version__profile__vendor", "reporter",
                                            "assignee", "team")
    ticket = get_object_or_404(scoping.visible(request.user, tickets), number=number)
    try:
        rendered = actions.export_ticket_record(request.user, ticket,
                                                request.GET.get("format", "pdf"),
                                                request=request)
    except ValidationError as exc:
        return bad_request(exc)
    return file_response(rendered)


@cap_required(Cap.VIEW_OPERATIONS)
@require_GET
def contract_month(request: HttpRequest, code: str, month: str | None = None) -> HttpResponse:
    """``month`` from the path, or from ``?month=`` (the form on the contract page)."""
    profile = get_object_or_404(actions.visible_contracts(request.user), code=code)
    try:
        rendered = actions.export_contract_month(
            request.user, profile, month or request.GET.get("month", ""),
            request.GET.get("format", "pdf"), request=request)
    except ValidationError as exc:
        return bad_request(exc)
    return file_response(rendered)
