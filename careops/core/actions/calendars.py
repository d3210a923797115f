"""Every change to calendars and holiday years: validated, audited, all or nothing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from careops.core import audit
from careops.core.calendars import CalendarSpec, forget, validate_spec
from careops.core.choices import AuditAction
from careops.core.models import CalendarDate, HolidayDate, HolidayYear, WorkCalendar
from careops.core.roles import Cap, has_cap
from careops.logic.holidays import HolidayEntry, format_holiday_lines
from careops.logic.worktime import DayKind

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _require(actor: Any) -> None:
    """Every caller (page, API, command, task) gets the same rule."""
    if not has_cap(actor, Cap.MANAGE_CALENDARS):
        raise PermissionDenied(_("Only the hospital and system administrators manage "
                                 "calendars and holiday data."))


def _calendar_state(row: WorkCalendar) -> dict[str, Any]:
    state = audit.snapshot(row)
    state["dates"] = [spec.as_line() for spec in CalendarSpec.of(row).dates]
    return state


def _check_unique(spec: CalendarSpec, row: WorkCalendar | None) -> None:
    others = WorkCalendar.objects.exclude(pk=row.pk) if row is not None else WorkCalendar.objects
    errors: dict[str, list[str]] = {}
    if others.filter(name=spec.name).exists():
        errors["name"] = [_("A calendar with this name already exists.")]
    if others.filter(slug=spec.slug).exists():
        errors["slug"] = [_("A calendar with this code already exists.")]
    if row is not None and row.builtin and spec.slug != row.slug:
        errors["slug"] = [_("The code of a built-in calendar cannot change.")]
    if errors:
        raise ValidationError(errors)


def _write(row: WorkCalendar, spec: CalendarSpec) -> None:
    row.name = spec.name
    row.slug = spec.slug
    row.description = spec.description
    row.time_zone = spec.time_zone
    row.observe_holidays = spec.observe_holidays
    row.weekly_hours = [list(day) for day in spec.weekly_hours]
    row.makeup_hours = list(spec.makeup_hours)
    row.full_clean(validate_unique=False)
    row.save()
    row.dates.all().delete()
    CalendarDate.objects.bulk_create(
        CalendarDate(calendar=row, date=d.date, kind=d.kind, hours=list(d.hours), note=d.note)
        for d in spec.dates)


def create_calendar(spec: CalendarSpec, *, actor: Any, request: HttpRequest | None = None,
                    ) -> WorkCalendar:
    _require(actor)
    validate_spec(spec)
    _check_unique(spec, None)
    with transaction.atomic():
        row = WorkCalendar()
        _write(row, spec)
        audit.record(AuditAction.CREATE, actor=actor, request=request, obj=row,
                     changes=audit.diff(None, _calendar_state(row)))
    forget()
    return row


def update_calendar(row: WorkCalendar, spec: CalendarSpec, *, actor: Any,
                    request: HttpRequest | None = None) -> WorkCalendar:
    _require(actor)
    validate_spec(spec)
    _check_unique(spec, row)
    with transaction.atomic():
        row = WorkCalendar.objects.select_for_update().get(pk=row.pk)
        before = _calendar_state(row)
        _write(row, spec)
        audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=row,
                     changes=audit.diff(before, _calendar_state(row)))
    forget()
    return row


def delete_calendar(row: WorkCalendar, *, actor: Any, request: HttpRequest | None = None) -> None:
    _require(actor)
    if row.builtin:
        raise ValidationError({"slug": [_("Built-in calendars cannot be deleted.")]})
    with transaction.atomic():
        before = _calendar_state(row)
        audit.record(AuditAction.DELETE, actor=actor, request=request, obj=row,
                     changes=audit.diff(before, None))
        row.delete()
    forget()


def _year_state(row: HolidayYear) -> dict[str, Any]:
    state = audit.snapshot(row)
    state["dates"] = format_holiday_lines(
        HolidayEntry(d.date, DayKind(d.kind), d.name) for d in row.dates.all()).splitlines()
    return state


def save_holiday_year(year: int, entries: list[HolidayEntry], *, source: str = "", actor: Any,
                      request: HttpRequest | None = None) -> HolidayYear:
    """Create or replace the table entry of ``year`` (it then overrides the package)."""
    _require(actor)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError({"year": [_("Enter a year between %(first)s and %(last)s.") % {
            "first": FIRST_YEAR, "last": LAST_YEAR}]})
    wrong = [e.day.isoformat() for e in entries if e.day.year != year]
    if wrong:
        raise ValidationError({"dates": [_("%(dates)s are not in %(year)s") % {
            "dates": ", ".join(wrong), "year": year}]})
    days = [e.day for e in entries]
    if len(set(days)) != len(days):
        raise ValidationError({"dates": [_("A date is given twice.")]})
    with transaction.atomic():
        row = HolidayYear.objects.select_for_update().filter(year=year).first()
        created = row is None
        before = None if row is None else _year_state(row)
        if row is None:
            row = HolidayYear(year=year)
        row.source = source
        row.save()
        row.dates.all().delete()
        HolidayDate.objects.bulk_create(
            HolidayDate(holiday_year=row, date=e.day, kind=e.kind.value, name=e.name)
            for e in entries)
        audit.record(AuditAction.CREATE if created else AuditAction.UPDATE, actor=actor,
                     request=request, obj=row, changes=audit.diff(before, _year_state(row)))
    forget()
    return row


def delete_holiday_year(row: HolidayYear, *, actor: Any,
                        request: HttpRequest | None = None) -> None:
    """Remove a table year: the package's data (or an estimate) applies again."""
    _require(actor)
    with transaction.atomic():
        audit.record(AuditAction.DELETE, actor=actor, request=request, obj=row,
                     changes=audit.diff(_year_state(row), None))
        row.delete()
    forget()
