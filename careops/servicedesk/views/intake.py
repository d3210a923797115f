"""New tickets from the web: the department user's report form and the service desk's
entry (a phone call). Both open the ticket through actions.open_ticket; the optional
file goes through actions.attachments.add in the same transaction."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from careops.core.forms.errors import apply_errors
from careops.core.roles import Cap
from careops.core.views.decorators import cap_required
from careops.servicedesk import actions
from careops.servicedesk.actions import attachments as files
from careops.servicedesk.forms import DeskForm, ReportForm
from careops.servicedesk.models import Channel, Kind, Ticket


def _first_tier(items: list[Any]) -> str | None:
    """A request from a department: the contract's first complexity tier with a deadline
    (seed 004: "simple", 3 working days; "urgent" is for the desk to declare), for the
    service desk to re-judge (docs/servicedesk.md, "Pages")."""
    systems, _departments, _safety = actions.affected_systems(items)
    version = actions.covering_version(systems)
    if version is None:
        return None
    requests = actions.contract_of(version).requests
    if not requests or not requests.tiers:
        return None
    timed = [tier for tier in requests.tiers if tier.targets]
    return (timed or list(requests.tiers))[0].name


def _open(request: HttpRequest, form: Any, *, kind: str, items: list[Any], upload: Any,
          **kwargs: Any) -> Ticket | None:
    """Open the ticket (and attach the file); None with the errors on ``form``."""
    data = form.cleaned_data
    try:
        with transaction.atomic():
            ticket = actions.open_ticket(request.user, kind, data["title"],
                                         data.get("description", ""), items,
                                         request=request, **kwargs)
            if upload is not None:
                files.add(request.user, ticket, upload=upload, public=True, request=request)
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    return ticket


@cap_required(Cap.VIEW_OPERATIONS)
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        items = [data["system"]]
        tier = _first_tier(items) if data["kind"] == Kind.REQUEST else None
        ticket = _open(request, form, kind=data["kind"], items=items,
                       upload=data.get("screenshot"), channel=Channel.WEB, priority=tier)
        if ticket is not None:
            messages.success(request, _("Thank you. Your ticket is %(number)s; the service desk "
                                        "has it now.") % {"number": ticket.number})
            return redirect("servicedesk:ticket", number=ticket.number)
    status = 400 if request.method == "POST" else 200
    return render(request, "servicedesk/report.html", {"form": form}, status=status)


@cap_required(Cap.CHANGE_OPERATIONS)
@require_http_methods(["GET", "POST"])
def desk(request: HttpRequest) -> HttpResponse:
    form = DeskForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ticket = _open(request, form, kind=data["kind"], items=data["items"],
                       upload=data.get("attachment"), channel=data["channel"],
                       priority=data["priority"].strip() or None, reason=data["reason"],
                       effort_person_days=data.get("effort_person_days"),
                       reporter=data["reporter"])
        if ticket is not None:
            messages.success(request, _("Ticket %(number)s is opened.")
                             % {"number": ticket.number})
            return redirect("servicedesk:ticket", number=ticket.number)
    status = 400 if request.method == "POST" else 200
    return render(request, "servicedesk/desk.html", {"form": form}, status=status)
