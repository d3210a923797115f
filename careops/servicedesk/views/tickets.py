"""The ticket page and the forms posted from it. Views only read input and call
careops.servicedesk.actions; a stale ``version`` re-renders the page with a conflict
message (409) and what the user typed, so nothing is lost."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from careops.core.forms.errors import apply_errors
from careops.core.roles import Cap, has_cap
from careops.core.views.decorators import cap_required
from careops.logic import ticket_flow
from careops.logic.contract import levels_of
from careops.servicedesk import actions, scoping
from careops.servicedesk.actions import attachments as files
from careops.servicedesk.clocks import clocks_for
from careops.servicedesk.forms import (
    AnalysisForm,
    AssignForm,
    AttachmentForm,
    CommentForm,
    PriorityForm,
    TransitionForm,
    WaiveForm,
    users_with,
)
from careops.servicedesk.labels import TARGET_LABELS
from careops.servicedesk.models import AnalysisReport, Attachment, EventKind, Ticket
from careops.servicedesk.models.tickets import STATUS_LABELS
from careops.servicedesk.views.common import (
    clock_row,
    priority_colour,
    status_colour,
)

FALLBACK_STATUSES = ("on_site", "restored")


def _ticket(request: HttpRequest, number: str) -> Ticket:
    """The ticket if the user may see it; 404 otherwise (its existence stays hidden)."""
    queryset = Ticket.objects.select_related(
        "reporter", "assignee", "team", "contract_version__profile")
    ticket: Ticket = get_object_or_404(scoping.visible(request.user, queryset), number=number)
    return ticket


def _workers(ticket: Ticket) -> QuerySet[Any]:
    """Active users who may work on the ticket (the assignee choices)."""
    users = users_with(Cap.CHANGE_OPERATIONS)
    allowed = [u.pk for u in users if actions.may_work(u, ticket)]
    return users.filter(pk__in=allowed)


def _moves(request: HttpRequest, ticket: Ticket, works: bool) -> list[dict[str, Any]]:
    """The status buttons: the flow's next statuses the user may take."""
    moves = []
    for status in actions.allowed_next(ticket) if works else ():
        if ticket_flow.needs_approver(ticket.kind, status) and (
                not has_cap(request.user, Cap.APPROVE)
                or request.user.pk == ticket.reporter_id):
            continue
        if status == "confirmed" and request.user.pk != ticket.reporter_id:
            continue
        moves.append({"status": status, "label": STATUS_LABELS.get(status, status),
                      "danger": status in ("rejected", "rolled_back")})
    return moves


def _label(kind: str, value: str) -> Any:
    if kind == EventKind.STATUS:
        return STATUS_LABELS.get(value, value)
    if kind in (EventKind.TARGET_MET, EventKind.TARGET_WAIVED):
        return TARGET_LABELS.get(value, value)
    return value


def _timeline(events: Any) -> list[dict[str, Any]]:
    return [{"event": e, "before": _label(e.kind, e.from_value),
             "after": _label(e.kind, e.to_value), "files": list(e.attachments.all())}
            for e in events]


def _clock_rows(ticket: Ticket) -> list[dict[str, Any]]:
    now = timezone.now()
    return [clock_row(c, now) for c in clocks_for(ticket, now)]


def _render(request: HttpRequest, ticket: Ticket, *, status: int = 200,
            **forms: Any) -> HttpResponse:
    user = request.user
    works = actions.may_work(user, ticket)
    events = ticket.events.select_related("actor").prefetch_related("attachments")
    if not works:
        events = events.filter(public=True)
    attachments = ticket.attachments.select_related("uploaded_by")
    if not works:
        attachments = attachments.filter(public=True)
    contract = actions.contract_of(ticket.contract_version) if ticket.contract_version else None
    levels = levels_of(contract, ticket.kind) if contract else ()
    moves = _moves(request, ticket, works)
    reporter_confirms = (not works and user.pk == ticket.reporter_id
                         and ticket.status == "resolved"
                         and "confirmed" in actions.allowed_next(ticket))
    version = {"version": ticket.version}
    context = {
        "ticket": ticket, "works": works, "events": _timeline(events),
        "attachments": list(attachments), "moves": moves,
        "show_clocks": works or has_cap(user, Cap.VIEW_AUDIT),
        "clocks": _clock_rows(ticket),
        "priority_colour": priority_colour(ticket.priority),
        "status_colour": status_colour(ticket.status),
        "items": list(ticket.items.order_by("code")),
        "systems": list(ticket.systems.order_by("code")),
        "reporter_confirms": reporter_confirms,
        "asks_fallback": (works and ticket.kind == "incident" and ticket.priority == "P1"
                          and any(m["status"] in FALLBACK_STATUSES for m in moves)),
        "comment_form": forms.get("comment_form") or CommentForm(internal=works),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(internal=works),
        "transition_form": forms.get("transition_form") or TransitionForm(initial=version),
        "conflict": forms.get("conflict"),
    }
    if works:
        context["assign_form"] = forms.get("assign_form") or AssignForm(
            initial={**version, "assignee": ticket.assignee_id, "team": ticket.team_id},
            workers=_workers(ticket))
        context["priority_form"] = forms.get("priority_form") or PriorityForm(
            initial={**version, "priority": ticket.priority}, levels=levels)
        is_change = ticket.kind == "change"
        context["change_steps"] = is_change and any(
            m["status"] in ("implementing", "implemented", "rolled_back") for m in moves)
        if (ticket.kind == "incident" and actions.hospital_side(user)
                and not ticket_flow.terminal(ticket.kind, ticket.status)
                and not ticket.events.filter(kind__in=("target_met", "target_waived"),
                                             to_value="on_site").exists()):
            context["waive_form"] = forms.get("waive_form") or WaiveForm(initial=version)
        if ticket.kind in ("incident", "problem"):
            report = AnalysisReport.objects.filter(ticket=ticket).first()
            context["analysis"] = report
            context["analysis_form"] = forms.get("analysis_form") or AnalysisForm(
                initial={name: getattr(report, name) for name in actions.ANALYSIS_FIELDS}
                if report else None)
    return render(request, "servicedesk/ticket.html", context, status=status)


@require_GET
@cap_required(Cap.VIEW_OPERATIONS)
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render(request, _ticket(request, number))


@require_GET
@cap_required(Cap.VIEW_OPERATIONS)
def ticket_clocks(request: HttpRequest, number: str) -> HttpResponse:
    """The clocks card alone, polled by the page every 30 seconds."""
    ticket = _ticket(request, number)
    if not (actions.may_work(request.user, ticket) or has_cap(request.user, Cap.VIEW_AUDIT)):
        raise PermissionDenied
    return render(request, "servicedesk/_clocks.html",
                  {"ticket": ticket, "clocks": _clock_rows(ticket)})



def _conflict(exc: actions.ConflictError) -> str:
    return _("Someone changed this ticket while you were looking at it (it is now at version "
             "%(version)s). Nothing was saved; what you typed is kept below. Check the "
             "timeline and send again.") % {"version": exc.current}


@require_POST
@cap_required(Cap.VIEW_OPERATIONS)
def ticket_transition(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _render(request, ticket, status=400, transition_form=form)
    data = form.cleaned_data
    try:
        actions.transition(request.user, ticket, data["to"], data["note"],
                           expected_version=data["version"],
                           fallback_plan=data["fallback_plan"],
                           supervisor=data["supervisor"],
                           implementation_report=data["implementation_report"],
                           rollback_reason=data["rollback_reason"], request=request)
    except actions.ConflictError as exc:
        ticket = _ticket(request, number)
        kept = TransitionForm(initial={"version": ticket.version, "note": data["note"],
                                       "fallback_plan": data["fallback_plan"]})
        return _render(request, ticket, status=409, transition_form=kept,
                       conflict=_conflict(exc))
    except actions.TransitionError as exc:
        allowed = ", ".join(str(STATUS_LABELS.get(s, s)) for s in exc.allowed) or "—"
        form.add_error(None, _("“%(status)s” cannot follow “%(current)s”. Possible now: "
                               "%(allowed)s.") % {"status": STATUS_LABELS.get(data["to"],
                                                                               data["to"]),
                                                   "current": ticket.status_label,
                                                   "allowed": allowed})
        return _render(request, ticket, status=409, transition_form=form)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _render(request, ticket, status=400, transition_form=form)
    messages.success(request, _("The ticket is now “%(status)s”.")
                     % {"status": ticket.status_label})
    return redirect("servicedesk:ticket", number=ticket.number)


@require_POST
@cap_required(Cap.CHANGE_OPERATIONS)
def ticket_assign(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    if not actions.may_work(request.user, ticket):
        raise PermissionDenied
    form = AssignForm(request.POST, workers=_workers(ticket))
    if not form.is_valid():
        return _render(request, ticket, status=400, assign_form=form)
    data = form.cleaned_data
    try:
        actions.assign(request.user, ticket, data["assignee"], team=data["team"],
                       expected_version=data["version"], request=request)
    except actions.ConflictError as exc:
        ticket = _ticket(request, number)
        kept = AssignForm(initial={"version": ticket.version, "assignee": data["assignee"],
                                   "team": data["team"]}, workers=_workers(ticket))
        return _render(request, ticket, status=409, assign_form=kept, conflict=_conflict(exc))
    except ValidationError as exc:
        apply_errors(form, exc)
        return _render(request, ticket, status=400, assign_form=form)
    messages.success(request, _("The assignment is saved."))
    return redirect("servicedesk:ticket", number=ticket.number)


@require_POST
@cap_required(Cap.CHANGE_OPERATIONS)
def ticket_priority(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    if not actions.may_work(request.user, ticket):
        raise PermissionDenied
    contract = actions.contract_of(ticket.contract_version) if ticket.contract_version else None
    levels = levels_of(contract, ticket.kind) if contract else ()
    form = PriorityForm(request.POST, levels=levels)
    if not form.is_valid():
        return _render(request, ticket, status=400, priority_form=form)
    data = form.cleaned_data
    try:
        actions.change_priority(request.user, ticket, data["priority"], data["reason"],
                                expected_version=data["version"], request=request)
    except actions.ConflictError as exc:
        ticket = _ticket(request, number)
        kept = PriorityForm(initial={"version": ticket.version, "priority": data["priority"],
                                     "reason": data["reason"]}, levels=levels)
        return _render(request, ticket, status=409, priority_form=kept,
                       conflict=_conflict(exc))
    except ValidationError as exc:
        apply_errors(form, exc)
        return _render(request, ticket, status=400, priority_form=form)
    messages.success(request, _("The priority is now %(priority)s; the clocks follow it.")
                     % {"priority": ticket.priority})
    return redirect("servicedesk:ticket", number=ticket.number)


@require_POST
@cap_required(Cap.VIEW_OPERATIONS)
def ticket_comment(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    works = actions.may_work(request.user, ticket)
    form = CommentForm(request.POST, internal=works)
    if not form.is_valid():
        return _render(request, ticket, status=400, comment_form=form)
    public = form.cleaned_data.get("public", True) if works else True
    try:
        actions.comment(request.user, ticket, form.cleaned_data["text"], public=public,
                        request=request)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _render(request, ticket, status=400, comment_form=form)
    messages.success(request, _("Your comment is added."))
    return redirect("servicedesk:ticket", number=ticket.number)


@require_POST
@cap_required(Cap.VIEW_OPERATIONS)
def ticket_attach(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    works = actions.may_work(request.user, ticket)
    form = AttachmentForm(request.POST, request.FILES, internal=works)
    if not form.is_valid():
        return _render(request, ticket, status=400, attachment_form=form)
    public = form.cleaned_data.get("public", True) if works else True
    try:
        files.add(request.user, ticket, upload=form.cleaned_data["file"], public=public,
                  request=request)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _render(request, ticket, status=400, attachment_form=form)
    messages.success(request, _("The file is attached."))
    return redirect("servicedesk:ticket", number=ticket.number)


@require_GET
@cap_required(Cap.VIEW_OPERATIONS)
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Audited download; files are never served from MEDIA directly."""
    attachment = get_object_or_404(Attachment.objects.select_related("ticket"), pk=pk)
    if not files.may_see(request.user, attachment):
        raise Http404
    files.record_download(request.user, attachment, request=request)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True,
                            filename=attachment.name,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response



@require_POST
@cap_required(Cap.CHANGE_OPERATIONS)
def ticket_waive(request: HttpRequest, number: str) -> HttpResponse:
    """The hospital declares that no visit is needed (the on-site clock is waived)."""
    ticket = _ticket(request, number)
    form = WaiveForm(request.POST)
    if not form.is_valid():
        return _render(request, ticket, status=400, waive_form=form)
    try:
        actions.waive_target(request.user, ticket, "on_site", form.cleaned_data["reason"],
                             expected_version=form.cleaned_data["version"], request=request)
    except actions.ConflictError as exc:
        return _render(request, _ticket(request, number), status=409, conflict=_conflict(exc))
    except ValidationError as exc:
        apply_errors(form, exc)
        return _render(request, ticket, status=400, waive_form=form)
    messages.success(request, _("The visit is recorded as not needed."))
    return redirect("servicedesk:ticket", number=ticket.number)


@require_POST
@cap_required(Cap.CHANGE_OPERATIONS)
def ticket_analysis(request: HttpRequest, number: str) -> HttpResponse:
    """Submit or correct the fault analysis report (it meets the report target)."""
    ticket = _ticket(request, number)
    form = AnalysisForm(request.POST)
    if not form.is_valid():
        return _render(request, ticket, status=400, analysis_form=form)
    try:
        actions.submit_analysis(request.user, ticket, **form.cleaned_data, request=request)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _render(request, ticket, status=400, analysis_form=form)
    messages.success(request, _("The analysis report is saved."))
    return redirect("servicedesk:ticket", number=ticket.number)
