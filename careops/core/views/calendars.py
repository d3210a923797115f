"""Calendar pages: list, month view with a due-time calculator, editing, holiday years."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from careops.core import calendars as cals
from careops.core.actions import calendars as actions
from careops.core.forms.calendars import CalendarForm, DueForm, HolidayYearForm, YearForm
from careops.core.forms.errors import apply_errors
from careops.core.models import HolidayYear, WorkCalendar
from careops.core.roles import Cap, has_cap
from careops.core.views.decorators import cap_required
from careops.logic.holidays import format_holiday_lines
from careops.logic.worktime import Calendar, CalendarError, DayKind


@login_required
def calendar_list(request: HttpRequest) -> HttpResponse:
    rows = list(WorkCalendar.objects.prefetch_related("dates"))
    return render(request, "core/calendars/list.html", {
        "calendars": rows, "default_slug": cals.DEFAULT_CALENDAR_SLUG,
        "can_manage": has_cap(request.user, Cap.MANAGE_CALENDARS)})


def _month(value: str | None, today: dt.date) -> dt.date:
    try:
        first = dt.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return today.replace(day=1)
    return first if 1970 <= first.year <= 2100 else today.replace(day=1)


def month_grid(cal: Calendar, first: dt.date, today: dt.date) -> list[list[dict[str, Any]]]:
    """Weeks (Monday first) of the month of ``first``: each day with its kind and CSS classes."""
    source = cal.holidays
    weeks = []
    for week in pycalendar.Calendar().monthdatescalendar(first.year, first.month):
        row = []
        for day in week:
            info = cal.day_info(day)
            classes = []
            if info.kind is DayKind.HOLIDAY and not info.override:
                classes.append("cal-day-holiday")
            elif info.kind is DayKind.MAKEUP and not info.override:
                classes.append("cal-day-makeup")
            if not info.hours:
                classes.append("cal-day-rest")
            if info.override:
                classes.append("cal-day-override")
            if info.estimated:
                classes.append("cal-day-estimated")
            if day.month != first.month:
                classes.append("cal-day-outside")
            if day == today:
                classes.append("cal-day-today")
            name = getattr(source, "day_name", None)
            row.append({
                "date": day, "info": info, "classes": " ".join(classes),
                "kind_label": cals.DAY_KIND_LABELS[info.kind],
                "hours": ", ".join(str(iv) for iv in info.hours),
                "name": name(day) if name is not None and cal.observe_holidays else "",
            })
        weeks.append(row)
    return weeks


@login_required
def calendar_detail(request: HttpRequest, slug: str) -> HttpResponse:
    row = get_object_or_404(WorkCalendar, slug=slug)
    cal = cals.calendar_for(row)
    today = dt.datetime.now(cal.tz).date()
    first = _month(request.GET.get("month"), today)
    weeks = month_grid(cal, first, today)
    estimated_years = sorted({d["date"].year for w in weeks for d in w if d["info"].estimated})
    due = None
    form = DueForm(request.GET if "start" in request.GET else None, calendar=cal,
                   initial={"start": dt.datetime.now(cal.tz).replace(
                       second=0, microsecond=0).isoformat()})
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        unit, amount = data["unit"], data["amount"]
        try:
            due = cals.compute_due(
                cal, data["start"], minutes=amount * 60 if unit == "hours" else
                (amount if unit == "minutes" else None),
                days=amount if unit == "days" else None, end_of_day=data["end_of_day"],
                pauses=data["pauses"])
        except CalendarError as exc:
            form.add_error(None, cals.describe(exc))
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return render(request, "core/calendars/detail.html", {
        "row": row, "cal": cal, "weeks": weeks, "month": first,
        "previous": previous.strftime("%Y-%m"), "next": following.strftime("%Y-%m"),
        "this_month": today.strftime("%Y-%m"), "estimated_years": estimated_years,
        "weekday_names": [WEEKDAYS_ABBR[i] for i in range(7)], "form": form, "due": due,
        "due_missing": sorted(due.estimated_years) if due else [],
        "weekly": [(WEEKDAYS[i], ", ".join(row.weekly_hours[i])) for i in range(7)],
        "dates": row.dates.all(),
        "can_manage": has_cap(request.user, Cap.MANAGE_CALENDARS)})


def _edit(request: HttpRequest, row: WorkCalendar | None) -> HttpResponse:
    builtin = row is not None and row.builtin
    if request.method == "POST":
        form = CalendarForm(request.POST, builtin=builtin,
                            initial=CalendarForm.initial_of(cals.CalendarSpec.of(row))
                            if row else None)
        if form.is_valid() and form.spec is not None:
            try:
                if row is None:
                    row = actions.create_calendar(form.spec, actor=request.user, request=request)
                    messages.success(request, _("Calendar %(name)s created.") % {
                        "name": row.name})
                else:
                    row = actions.update_calendar(row, form.spec, actor=request.user,
                                                  request=request)
                    messages.success(request, _("Calendar %(name)s saved.") % {"name": row.name})
                return redirect("core:calendar_detail", slug=row.slug)
            except ValidationError as exc:
                apply_errors(form, exc)
    elif row is None:
        form = CalendarForm(initial={
            "time_zone": "Asia/Shanghai", "observe_holidays": True,
            **{f"hours_{key}": "08:00-18:00" for key in cals.WEEKDAY_KEYS[:5]}})
    else:
        form = CalendarForm(initial=CalendarForm.initial_of(cals.CalendarSpec.of(row)),
                            builtin=builtin)
    return render(request, "core/calendars/form.html", {"form": form, "row": row})


@cap_required(Cap.MANAGE_CALENDARS)
@require_http_methods(["GET", "POST"])
def calendar_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@cap_required(Cap.MANAGE_CALENDARS)
@require_http_methods(["GET", "POST"])
def calendar_edit(request: HttpRequest, slug: str) -> HttpResponse:
    return _edit(request, get_object_or_404(WorkCalendar, slug=slug))


@cap_required(Cap.MANAGE_CALENDARS)
@require_http_methods(["GET", "POST"])
def calendar_delete(request: HttpRequest, slug: str) -> HttpResponse:
    row = get_object_or_404(WorkCalendar, slug=slug)
    if row.builtin:
        messages.error(request, _("Built-in calendars cannot be deleted."))
        return redirect("core:calendar_detail", slug=row.slug)
    if request.method == "POST":
        name = row.name
        actions.delete_calendar(row, actor=request.user, request=request)
        messages.success(request, _("Calendar %(name)s deleted.") % {"name": name})
        return redirect("core:calendar_list")
    return render(request, "core/calendars/delete.html", {"row": row})


@login_required
def holiday_list(request: HttpRequest) -> HttpResponse:
    form = YearForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("core:holiday_year", year=form.cleaned_data["year"])
    return render(request, "core/calendars/holidays.html", {
        "years": cals.year_coverage(), "form": form,
        "can_manage": has_cap(request.user, Cap.MANAGE_CALENDARS)})


@login_required
@require_http_methods(["GET", "POST"])
def holiday_year(request: HttpRequest, year: int) -> HttpResponse:
    source, entries = cals.year_entries(year)
    row = HolidayYear.objects.filter(year=year).first()
    can_manage = has_cap(request.user, Cap.MANAGE_CALENDARS)
    form = None
    if can_manage:
        initial = {"lines": format_holiday_lines(entries), "source": row.source if row else ""}
        form = HolidayYearForm(request.POST if request.method == "POST" else None,
                               initial=initial, year=year)
    elif request.method == "POST":
        raise PermissionDenied
    if form is not None and form.is_bound and form.is_valid():
        try:
            actions.save_holiday_year(year, form.cleaned_data["lines"],
                                      source=form.cleaned_data["source"], actor=request.user,
                                      request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Holiday data for %(year)s saved.") % {"year": year})
            return redirect("core:holiday_year", year=year)
    return render(request, "core/calendars/holiday_year.html", {
        "year": year, "source": source, "entries": entries, "row": row, "form": form,
        "kind_labels": cals.DAY_KIND_LABELS, "can_manage": can_manage})


@cap_required(Cap.MANAGE_CALENDARS)
@require_POST
def holiday_year_delete(request: HttpRequest, year: int) -> HttpResponse:
    row = get_object_or_404(HolidayYear, year=year)
    actions.delete_holiday_year(row, actor=request.user, request=request)
    messages.success(request, _("The table entry for %(year)s was removed.") % {"year": year})
    return redirect("core:holiday_list")
