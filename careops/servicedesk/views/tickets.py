"""The ticket page and the forms posted from it. Views only read input and call
careops.servicedesk.actions; a stale ``version`` re-renders the page with a conflict
message (409) and what the user typed, so nothing is lost."""

from __future__ import annotations

from collections.abc import Callable
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
    ChangePlanForm,
    CommentForm,
    LinkForm,
    PriorityForm,
    TransitionForm,
    WaiveForm,
)
from careops.servicedesk.labels import TARGET_LABELS, illegal_transition_message
from careops.servicedesk.models import (
    AnalysisReport,
    Attachment,
    ChangePlan,
    EventKind,
    Ticket,
)
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
    """Active users who may work on the ticket (the assignee choices), in one query."""
    return scoping.workers(ticket)


def _moves(request: HttpRequest, ticket: Ticket, works: bool) -> list[dict[str, Any]]:
    """The status buttons: the flow's next statuses the user may take."""
    moves = []
    for status in actions.allowed_next(ticket) if works else ():
        if ticket_flow.needs_approver(ticket.kind, status) and (
                not has_cap(request.user, Cap.APPROVE)
                or request.user.pk == ticket.reporter_id):
            continue
        if status == "confirmed" and not (request.user.pk == ticket.reporter_id
                                          and actions.may_confirm(request.user, ticket)):
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


def _plan_initial(plan: ChangePlan | None) -> dict[str, Any] | None:
    if plan is None:
        return None
    names = ("content", "plan", "window_start", "window_end", "risk_level", "risk_assessment",
             "backup_plan", "rollback_plan")
    initial = {name: getattr(plan, name) for name in names}
    initial["window_start"] = timezone.localtime(plan.window_start)
    initial["window_end"] = timezone.localtime(plan.window_end)
    initial["supervisor"] = plan.supervisor_id
    return initial


def _linked(user: Any, ticket: Ticket) -> list[Ticket]:
    """A problem's incidents, or the problems an incident is linked to, as far as the user
    may see them."""
    if ticket.kind == "problem":
        related = ticket.linked_incidents.all()
    elif ticket.kind == "incident":
        related = ticket.problems.all()
    else:
        return []
    return list(scoping.visible(user, related).order_by("number"))


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
                         and actions.may_confirm(user, ticket)
                         and "confirmed" in actions.allowed_next(ticket))
    refusal = ticket_flow.refusal(ticket.kind) if reporter_confirms else None
    version = {"version": ticket.version}
    change_plan = (ChangePlan.objects.select_related("supervisor").filter(ticket=ticket).first()
                   if ticket.kind == "change" else None)
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
        "refusal": refusal if refusal in actions.allowed_next(ticket) else None,
        "asks_fallback": (works and ticket.kind == "incident" and ticket.priority == "P1"
                          and any(m["status"] in FALLBACK_STATUSES for m in moves)),
        "comment_form": forms.get("comment_form") or CommentForm(internal=works),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(internal=works),
        "transition_form": forms.get("transition_form") or TransitionForm(initial=version),
        "conflict": forms.get("conflict"),
        "change_plan": change_plan,
        "linked": _linked(user, ticket),
    }
    if works:
        context["assign_form"] = forms.get("assign_form") or AssignForm(
            initial={**version, "assignee": ticket.assignee_id, "team": ticket.team_id},
            workers=_workers(ticket))
        if not ticket_flow.terminal(ticket.kind, ticket.status):
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
        if is_change and ticket.status == "submitted":
            context["change_plan_form"] = forms.get("change_plan_form") or ChangePlanForm(
                initial={**(_plan_initial(change_plan) or {}), **version})
        if ticket.kind == "problem":
            context["link_form"] = forms.get("link_form") or LinkForm()
        if ticket.kind in ("incident", "problem"):
            report = AnalysisReport.objects.filter(ticket=ticket).first()
            context["analysis"] = report
            context["analysis_form"] = forms.get("analysis_form") or AnalysisForm(
                initial={**({name: getattr(report, name) for name in actions.ANALYSIS_FIELDS}
                            if report else {}), **version})
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
        form.add_error(None, illegal_transition_message(exc.source, exc.target, exc.allowed))
        return _render(request, ticket, status=409, transition_form=form)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _render(request, ticket, status=400, transition_form=form)
    messages.success(request, _("The ticket is now “%(status)s”.")
                     % {"status": ticket.status_label})
    return redirect("servicedesk:ticket", number=ticket.number)


def _submit(request: HttpRequest, ticket: Ticket, name: str, form: Any,
            act: Callable[[dict[str, Any]], object], done: Callable[[], str],
            kept: Callable[[Ticket, dict[str, Any]], Any] | None = None) -> HttpResponse:
    """The shape every form of the ticket page shares: check the form, run the action,
    show its errors on the form (400), a stale version as a conflict (409, with ``kept``
    rebuilding what the user typed on the fresh ticket), else say ``done`` and go back."""
    if not form.is_valid():
        return _render(request, ticket, status=400, **{name: form})
    data = form.cleaned_data
    try:
        act(data)
    except actions.ConflictError as exc:
        fresh = _ticket(request, ticket.number)
        forms = {name: kept(fresh, data)} if kept else {}
        return _render(request, fresh, status=409, conflict=_conflict(exc), **forms)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _render(request, ticket, status=400, **{name: form})
    messages.success(request, done())
    return redirect(ticket)


def _working(request: HttpRequest, number: str) -> Ticket:
    """The ticket, for a form only those who work on it may send."""
    ticket = _ticket(request, number)
    if not actions.may_work(request.user, ticket):
        raise PermissionDenied
    return ticket


@require_POST
@cap_required(Cap.CHANGE_OPERATIONS)
def ticket_assign(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _working(request, number)
    return _submit(
        request, ticket, "assign_form", AssignForm(request.POST, workers=_workers(ticket)),
        lambda d: actions.assign(request.user, ticket, d["assignee"], team=d["team"],
                                 expected_version=d["version"], request=request),
        lambda: _("The assignment is saved."),
        kept=lambda fresh, d: AssignForm(
            initial={"version": fresh.version, "assignee": d["assignee"], "team": d["team"]},
            workers=_workers(fresh)))


@require_POST
@cap_required(Cap.CHANGE_OPERATIONS)
def ticket_priority(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _working(request, number)
    contract = actions.contract_of(ticket.contract_version) if ticket.contract_version else None
    levels = levels_of(contract, ticket.kind) if contract else ()
    return _submit(
        request, ticket, "priority_form", PriorityForm(request.POST, levels=levels),
        lambda d: actions.change_priority(request.user, ticket, d["priority"], d["reason"],
                                          expected_version=d["version"], request=request),
        lambda: _("The priority is now %(priority)s; the clocks follow it.")
        % {"priority": ticket.priority},
        kept=lambda fresh, d: PriorityForm(
            initial={"version": fresh.version, "priority": d["priority"],
                     "reason": d["reason"]}, levels=levels))


@require_POST
@cap_required(Cap.VIEW_OPERATIONS)
def ticket_comment(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    works = actions.may_work(request.user, ticket)
    return _submit(
        request, ticket, "comment_form", CommentForm(request.POST, internal=works),
        lambda d: actions.comment(request.user, ticket, d["text"],
                                  public=d.get("public", True) if works else True,
                                  request=request),
        lambda: _("Your comment is added."))


@require_POST
@cap_required(Cap.VIEW_OPERATIONS)
def ticket_attach(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    works = actions.may_work(request.user, ticket)
    return _submit(
        request, ticket, "attachment_form",
        AttachmentForm(request.POST, request.FILES, internal=works),
        lambda d: files.add(request.user, ticket, upload=d["file"],
                            public=d.get("public", True) if works else True, request=request),
        lambda: _("The file is attached."))


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
    return _submit(
        request, ticket, "waive_form", WaiveForm(request.POST),
        lambda d: actions.waive_target(request.user, ticket, "on_site", d["reason"],
                                       expected_version=d["version"], request=request),
        lambda: _("The visit is recorded as not needed."))


@require_POST
@cap_required(Cap.CHANGE_OPERATIONS)
def ticket_analysis(request: HttpRequest, number: str) -> HttpResponse:
    """Submit or correct the fault analysis report (it meets the report target)."""
    ticket = _ticket(request, number)
    return _submit(
        request, ticket, "analysis_form", AnalysisForm(request.POST),
        lambda d: actions.submit_analysis(
            request.user, ticket, **_typed(d), expected_version=d["version"], request=request),
        lambda: _("The analysis report is saved."),
        kept=lambda fresh, d: AnalysisForm(initial={**_typed(d), "version": fresh.version}))


@require_POST
@cap_required(Cap.CHANGE_OPERATIONS)
def ticket_change_plan(request: HttpRequest, number: str) -> HttpResponse:
    """Write or correct a change's application while the hospital has not decided on it."""
    ticket = _ticket(request, number)
    return _submit(
        request, ticket, "change_plan_form", ChangePlanForm(request.POST),
        lambda d: actions.save_change_plan(
            request.user, ticket, **_typed(d), expected_version=d["version"], request=request),
        lambda: _("The change plan is saved."),
        kept=lambda fresh, d: ChangePlanForm(initial={**_typed(d), "version": fresh.version}))


def _typed(data: dict[str, Any]) -> dict[str, Any]:
    """A form's fields without the ticket version it was read at."""
    return {name: value for name, value in data.items() if name != "version"}


@require_POST
@cap_required(Cap.CHANGE_OPERATIONS)
def ticket_link(request: HttpRequest, number: str) -> HttpResponse:
    """Link incidents to this problem, or remove links."""
    ticket = _ticket(request, number)

    def link(data: dict[str, Any]) -> object:
        return actions.link_incidents_by_number(request.user, ticket, data["numbers"],
                                                unlink=data["unlink"], field="numbers",
                                                request=request)

    return _submit(request, ticket, "link_form", LinkForm(request.POST), link,
                   lambda: _("The links are saved."))
