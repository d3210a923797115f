"""Obligation tracker pages: the list, a month calendar, one occurrence with its forms,
and the audited download of its evidence file (docs/obligations.md, "Tracker")."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careops.contracts.actions import obligations as actions
from careops.contracts.choices import KIND_LABELS, ObligationState, state_of
from careops.contracts.filtersets import ObligationFilterSet, month_bounds
from careops.contracts.forms.obligations import AssignForm, CompleteForm, WaiveForm
from careops.contracts.models import ContractProfile, ObligationOccurrence, ObligationStatus
from careops.contracts.scoping import may_work_occurrence, visible_occurrences
from careops.contracts.views.pages import OWNER_LABELS
from careops.core import calendars as cals
from careops.core.forms.errors import apply_errors
from careops.core.roles import Cap, has_cap
from careops.core.views.decorators import cap_required
from careops.logic import obligations as logic

PAGE_SIZE = 50
CELL_LIMIT = 12   # entries shown in one day of the calendar before "+N more"


def _visible(request: HttpRequest) -> QuerySet[ObligationOccurrence]:
    return visible_occurrences(request.user, ObligationOccurrence.objects.select_related(
        "profile", "assignee"))


def decorate(occ: ObligationOccurrence, now: dt.datetime) -> ObligationOccurrence:
    """Attach what templates show: deadline, state and its colour, kind label."""
    occ.deadline = logic.deadline(occ.due_at, occ.report_due_at)  # type: ignore[attr-defined]
    overdue = logic.is_overdue(occ.status == ObligationStatus.OPEN, occ.due_at,
                               occ.report_due_at, now)
    state = state_of(occ.status, overdue)
    occ.state = state  # type: ignore[attr-defined]
    occ.state_label = ObligationState(state).label  # type: ignore[attr-defined]
    occ.state_colour = ObligationState.colour(state)  # type: ignore[attr-defined]
    occ.kind_label = KIND_LABELS.get(occ.kind, occ.kind)  # type: ignore[attr-defined]
    occ.owner_label = OWNER_LABELS.get(occ.owner, occ.owner)  # type: ignore[attr-defined]
    occ.late = (occ.status == ObligationStatus.DONE and occ.done_at is not None  # type: ignore[attr-defined]
                and occ.done_at > occ.deadline)  # type: ignore[attr-defined]
    return occ


def _filtered(request: HttpRequest, now: dt.datetime,
              without: tuple[str, ...] = ()) -> tuple[ObligationFilterSet, QuerySet[Any]]:
    data = request.GET.copy()
    for name in without:
        data.pop(name, None)
    filterset = ObligationFilterSet(data or None, queryset=_visible(request), request=request,
                                    now=now)
    for name in without:
        del filterset.form.fields[name]
    for field in filterset.form.fields.values():
        field.widget.attrs["class"] = "form-select" if hasattr(field, "choices") \
            else "form-control"
    queryset = filterset.qs if filterset.is_bound and filterset.form.is_valid() \
        else filterset.queryset
    return filterset, queryset


@cap_required(Cap.VIEW_OPERATIONS)
def obligation_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    filterset, queryset = _filtered(request, now)
    page = Paginator(queryset.order_by("due_at", "profile__code", "code", "pk"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [decorate(o, now) for o in page]
    return render(request, "contracts/obligation_list.html", {
        "filter": filterset, "page_obj": page, "rows": rows,
        "filtered": filterset.is_bound}, status=400 if filterset.errors else 200)


def _month(value: str | None, today: dt.date) -> dt.date:
    try:
        month_bounds(value or "")
    except ValueError:
        return today.replace(day=1)
    return dt.datetime.strptime(value or "", "%Y-%m").date()


@cap_required(Cap.VIEW_OPERATIONS)
def obligation_calendar(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    today = timezone.localdate(now)
    first = _month(request.GET.get("month"), today)
    start, end = month_bounds(first.strftime("%Y-%m"))
    filterset, queryset = _filtered(request, now, without=("month",))
    weeks = pycalendar.Calendar().monthdatescalendar(first.year, first.month)
    grid_start = dt.datetime.combine(weeks[0][0], dt.time(), tzinfo=start.tzinfo)
    grid_end = dt.datetime.combine(weeks[-1][-1] + dt.timedelta(days=1), dt.time(),
                                   tzinfo=start.tzinfo)
    by_day: dict[dt.date, list[ObligationOccurrence]] = defaultdict(list)
    for occ in queryset.filter(due_at__gte=grid_start, due_at__lt=grid_end) \
            .order_by("due_at", "profile__code", "code"):
        by_day[timezone.localdate(occ.due_at)].append(decorate(occ, now))
    try:
        _row, work = cals.get_calendar()
    except cals.CalendarNotFound:
        work = None
    grid = []
    for week in weeks:
        row = []
        for day in week:
            items = by_day.get(day, [])
            classes = []
            if work is not None and not work.day_info(day).hours:
                classes.append("cal-day-rest")
            if day.month != first.month:
                classes.append("cal-day-outside")
            if day == today:
                classes.append("cal-day-today")
            row.append({"date": day, "items": items[:CELL_LIMIT],
                        "more": max(0, len(items) - CELL_LIMIT), "classes": " ".join(classes)})
        grid.append(row)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    query = request.GET.copy()
    query.pop("month", None)
    return render(request, "contracts/obligation_calendar.html", {
        "filter": filterset, "weeks": grid, "month": first,
        "previous": previous.strftime("%Y-%m"), "next": following.strftime("%Y-%m"),
        "this_month": today.strftime("%Y-%m"), "query": query.urlencode(),
        "weekday_names": [WEEKDAYS_ABBR[i] for i in range(7)],
        "total": sum(len(v) for k, v in by_day.items() if start.date() <= k < end.date())},
        status=400 if filterset.errors else 200)


def _detail(request: HttpRequest, occ: ObligationOccurrence, *,
            complete_form: CompleteForm | None = None, waive_form: WaiveForm | None = None,
            assign_form: AssignForm | None = None, status: int = 200) -> HttpResponse:
    now = timezone.now()
    decorate(occ, now)
    is_open = occ.status == ObligationStatus.OPEN
    works = is_open and may_work_occurrence(request.user, occ)
    approves = is_open and has_cap(request.user, Cap.APPROVE)
    days_left = None
    estimated: list[int] = []
    try:
        found = actions.contract_and_calendar(occ.profile)
    except (cals.CalendarNotFound, ValueError):
        found = None
    if found is not None and is_open:
        _contract, calendar = found
        days_left = logic.working_days_left(calendar, now, occ.deadline)  # type: ignore[attr-defined]
        local = timezone.localdate(occ.deadline)  # type: ignore[attr-defined]
        estimated = [local.year] if calendar.day_info(local).estimated else []
    evidence = occ.evidence if occ.evidence_type_id else None
    hidden = evidence is not None and not actions.may_see_evidence(request.user, evidence)
    if hidden:
        evidence = None                     # a record the viewer may not see stays hidden
    return render(request, "contracts/obligation_detail.html", {
        "occ": occ, "profile": occ.profile, "days_left": days_left,
        "days_late": -days_left if days_left is not None and days_left < 0 else None,
        "estimated_years": estimated, "evidence": evidence, "evidence_hidden": hidden,
        "evidence_url": getattr(evidence, "get_absolute_url", lambda: "")() if evidence
        else "",
        "complete_form": complete_form or (CompleteForm(user=request.user) if works else None),
        "assign_form": assign_form or (AssignForm(occurrence=occ, initial={
            "assignee": occ.assignee.username if occ.assignee else None}) if works else None),
        "waive_form": waive_form or (WaiveForm() if approves else None),
    }, status=status)


@cap_required(Cap.VIEW_OPERATIONS)
def obligation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_object_or_404(_visible(request), pk=pk))



def _submit(request: HttpRequest, occ: ObligationOccurrence, name: str, form: Any,
            act: Callable[[dict[str, Any]], object], done: str) -> HttpResponse:
    """What the occurrence page's forms share: check the form, run the action, its errors
    on the form (400); an occurrence no longer open goes back to its page with the reason."""
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc, rename={"evidence": None})
        except actions.NotOpen as exc:
            messages.error(request, str(exc))
            return redirect("contracts:obligation_detail", pk=occ.pk)
        else:
            messages.success(request, done)
            return redirect("contracts:obligation_detail", pk=occ.pk)
    return _detail(request, occ, status=400, **{name: form})


@cap_required(Cap.CHANGE_OPERATIONS)
@require_POST
def obligation_complete(request: HttpRequest, pk: int) -> HttpResponse:
    occ = get_object_or_404(_visible(request), pk=pk)
    return _submit(
        request, occ, "complete_form",
        CompleteForm(request.POST, request.FILES, user=request.user),
        lambda d: actions.complete(request.user, occ, evidence=d["ticket"],
                                   evidence_file=d["evidence_file"], note=d["note"],
                                   request=request),
        _("Marked as done."))


@cap_required(Cap.APPROVE)
@require_POST
def obligation_waive(request: HttpRequest, pk: int) -> HttpResponse:
    occ = get_object_or_404(_visible(request), pk=pk)
    return _submit(request, occ, "waive_form", WaiveForm(request.POST),
                   lambda d: actions.waive(request.user, occ, d["reason"], request=request),
                   _("Waived."))


@cap_required(Cap.CHANGE_OPERATIONS)
@require_POST
def obligation_assign(request: HttpRequest, pk: int) -> HttpResponse:
    occ = get_object_or_404(_visible(request), pk=pk)
    return _submit(request, occ, "assign_form", AssignForm(request.POST, occurrence=occ),
                   lambda d: actions.assign(request.user, occ, d["assignee"], request=request),
                   _("Assignee saved."))


@cap_required(Cap.VIEW_OPERATIONS)
def obligation_evidence(request: HttpRequest, pk: int) -> FileResponse:
    occ = get_object_or_404(_visible(request), pk=pk)
    if not occ.evidence_file:
        raise Http404(_("No evidence file."))
    try:
        handle = occ.evidence_file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The evidence file is missing from the storage.")) from None
    actions.record_download(request.user, occ, request=request)
    name = (occ.evidence_file.name or "evidence").rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name)


def upcoming(profile: ContractProfile, user: Any, limit: int = 6) -> list[ObligationOccurrence]:
    """The contract page's card: overdue and next open occurrences, soonest first."""
    now = timezone.now()
    rows = visible_occurrences(user, profile.occurrences.filter(
        status=ObligationStatus.OPEN).select_related("assignee")).order_by("due_at")[:limit]
    return [decorate(o, now) for o in rows]
