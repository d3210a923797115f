"""Django side of working-time calendars: rows in, pure ``Calendar`` out.

``get_calendar(slug)`` / ``calendar_for(row)`` build a
:class:`careops.logic.worktime.Calendar` whose holiday source is the
administrator's holiday-year table first, then the chinesecalendar package.
Built calendars are cached per process and rebuilt when the calendar row or
any holiday year changes (the cache key carries their change stamps).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from careops.core.models import CalendarDateKind, HolidayDate, HolidayYear, WorkCalendar
from careops.logic.holidays import (
    HolidayEntry,
    HolidayLineError,
    LayeredHolidays,
    PackageHolidays,
    TableHolidays,
)
from careops.logic.worktime import (
    WEEKDAY_NAMES,
    Calendar,
    CalendarError,
    DateError,
    DayKind,
    Interval,
    IntervalError,
    NoWorkingTimeError,
    Outcome,
    OverlapError,
    Pause,
    WeeklyHours,
    normalise_intervals,
)

DEFAULT_CALENDAR_SLUG = "cn-workday"
RESERVED_SLUGS = frozenset({"new", "holidays"})  # page addresses under /calendars/
WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Longest amount the API, the UI and the command line accept (ten years).
MAX_MINUTES = 10 * 366 * 24 * 60
MAX_DAYS = 10 * 366
DAY_KIND_LABELS = {
    DayKind.WORKDAY: gettext_lazy("Working day"),
    DayKind.REST: gettext_lazy("Rest day"),
    DayKind.HOLIDAY: gettext_lazy("Statutory holiday"),
    DayKind.MAKEUP: gettext_lazy("Make-up working day"),
}

PACKAGE = PackageHolidays()


class CalendarNotFound(LookupError):
    pass


@dataclass
class DateRule:
    """One extra closed or open date of a calendar."""

    date: dt.date
    kind: str  # CalendarDateKind
    hours: list[str] = field(default_factory=list)
    note: str = ""

    def as_line(self) -> str:
        return " ".join(p for p in (self.date.isoformat(), self.kind, *self.hours, self.note) if p)


@dataclass
class CalendarSpec:
    """Everything a calendar is made of, as entered (form, API) before it is saved."""

    name: str
    slug: str
    description: str = ""
    time_zone: str = "Asia/Shanghai"
    observe_holidays: bool = True
    weekly_hours: list[list[str]] = field(default_factory=lambda: [[] for _ in range(7)])
    makeup_hours: list[str] = field(default_factory=list)
    dates: list[DateRule] = field(default_factory=list)

    @classmethod
    def of(cls, row: WorkCalendar) -> CalendarSpec:
        return cls(
            name=row.name, slug=row.slug, description=row.description,
            time_zone=row.time_zone, observe_holidays=row.observe_holidays,
            weekly_hours=[list(day) for day in row.weekly_hours],
            makeup_hours=list(row.makeup_hours),
            dates=[DateRule(d.date, d.kind, list(d.hours), d.note) for d in row.dates.all()],
        )


# --- messages -------------------------------------------------------------------

def _where(label: str) -> str:
    if label in WEEKDAY_NAMES:
        return str(WEEKDAYS[WEEKDAY_NAMES.index(label)])
    if label == "make-up days":
        return _("Make-up days")
    return label


def describe(exc: CalendarError) -> str:
    """A translated one-line message for a calendar error."""
    if isinstance(exc, OverlapError):
        return _("%(where)s: %(first)s overlaps %(second)s") % {
            "where": _where(exc.label), "first": exc.first, "second": exc.second}
    if isinstance(exc, IntervalError):
        if exc.reason == "ends before it starts":
            message = _("%(where)s: %(text)s ends before it starts")
        else:
            message = _("%(where)s: “%(text)s” is not an interval like 08:00-12:00")
        return message % {"where": _where(exc.label), "text": exc.text}
    if isinstance(exc, DateError):
        return _("“%(text)s” is not a valid date") % {"text": exc.text}
    if isinstance(exc, NoWorkingTimeError):
        return _("The calendar has no working time in the next ten years.")
    return str(exc)


def describe_line_error(exc: HolidayLineError) -> str:
    messages = {
        "format": _("Line %(line)s: expected DATE KIND [NAME], e.g. 2027-01-01 holiday 元旦"),
        "date": _("Line %(line)s: %(value)s is not a valid date"),
        "kind": _("Line %(line)s: %(value)s is not holiday or makeup"),
        "year": _("Line %(line)s: %(value)s is not in the year being edited"),
        "duplicate": _("Line %(line)s: %(value)s is given twice"),
        "weekday": _("Line %(line)s: %(value)s is a weekday; make-up days are weekend days"),
    }
    return messages[exc.code] % {"line": exc.line, "value": exc.value}


def estimated_note(years: Iterable[int]) -> str:
    """``estimated: no holiday data for 2027`` (the command line's words, not translated)."""
    return "estimated: no holiday data for " + ", ".join(str(y) for y in sorted(years))


# --- validation and building -------------------------------------------------------

def _check_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        raise ValidationError({"time_zone": [
            _("“%(zone)s” is not a known time zone, e.g. Asia/Shanghai") % {"zone": name}]},
        ) from None


def validate_spec(spec: CalendarSpec) -> Calendar:
    """The pure calendar of ``spec``; ValidationError naming every bad field otherwise.

    Keys: ``time_zone``, ``weekly_hours.monday`` ..., ``makeup_hours``, ``dates.N``.
    """
    errors: dict[str, list[str]] = {}
    if spec.slug in RESERVED_SLUGS:
        errors["slug"] = [_("“%(slug)s” is reserved; choose another code.") % {"slug": spec.slug}]
    try:
        _check_zone(spec.time_zone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if len(spec.weekly_hours) != 7:
        errors["weekly_hours"] = [_("Give the hours of all seven weekdays.")]
    weekly: dict[int, tuple[Interval, ...]] = {}
    for index, day in enumerate(spec.weekly_hours[:7]):
        try:
            weekly[index] = normalise_intervals(day, WEEKDAY_NAMES[index])
        except CalendarError as exc:
            errors[f"weekly_hours.{WEEKDAY_KEYS[index]}"] = [describe(exc)]
    makeup: tuple[Interval, ...] = ()
    try:
        makeup = normalise_intervals(spec.makeup_hours, "make-up days")
    except CalendarError as exc:
        errors["makeup_hours"] = [describe(exc)]
    overrides: dict[dt.date, tuple[Interval, ...]] = {}
    for index, rule in enumerate(spec.dates):
        key = f"dates.{index}"
        if rule.date in overrides:
            errors[key] = [_("%(date)s is given twice") % {"date": rule.date.isoformat()}]
            continue
        if rule.kind not in CalendarDateKind.values:
            errors[key] = [_("%(date)s: the kind must be open or closed") % {
                "date": rule.date.isoformat()}]
            continue
        if rule.kind == CalendarDateKind.CLOSED and rule.hours:
            errors[key] = [_("%(date)s: a closed date has no hours") % {
                "date": rule.date.isoformat()}]
            continue
        try:
            overrides[rule.date] = normalise_intervals(rule.hours, rule.date.isoformat())
        except CalendarError as exc:
            errors[key] = [describe(exc)]
    if errors:
        raise ValidationError(errors)
    week = WeeklyHours(weekly)
    makeup_hours = makeup or week[0]
    return Calendar(
        spec.time_zone, week, observe_holidays=spec.observe_holidays,
        holidays=holiday_source() if spec.observe_holidays else None,
        makeup_hours=makeup_hours,
        overrides={day: (hours or makeup_hours) if _is_open(spec, day) else ()
                   for day, hours in overrides.items()},
        name=spec.slug,
    )


def _is_open(spec: CalendarSpec, day: dt.date) -> bool:
    return any(r.date == day and r.kind == CalendarDateKind.OPEN for r in spec.dates)


# --- holiday data -----------------------------------------------------------------

_lock = threading.Lock()
_holidays: tuple[Any, LayeredHolidays] | None = None
_calendars: dict[tuple[Any, ...], Calendar] = {}


def _holiday_stamp() -> tuple[Any, ...]:
    agg = HolidayYear.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return (agg["n"], agg["last"])


def table_years() -> dict[int, list[HolidayEntry]]:
    years: dict[int, list[HolidayEntry]] = {y: [] for y in
                                            HolidayYear.objects.values_list("year", flat=True)}
    for row in HolidayDate.objects.select_related("holiday_year"):
        years[row.holiday_year.year].append(HolidayEntry(row.date, DayKind(row.kind), row.name))
    return years


def holiday_source() -> LayeredHolidays:
    """The table years first, then the chinesecalendar package."""
    global _holidays
    stamp = _holiday_stamp()
    with _lock:
        if _holidays is not None and _holidays[0] == stamp:
            return _holidays[1]
    source = LayeredHolidays(TableHolidays(table_years()), PACKAGE)
    with _lock:
        _holidays = (stamp, source)
    return source


def forget() -> None:
    """Drop the cached calendars and holiday data of this process."""
    global _holidays
    with _lock:
        _holidays = None
        _calendars.clear()


def year_coverage(extra: Iterable[int] = ()) -> list[dict[str, Any]]:
    """Each year from the package's first to next year: where its holiday data comes from."""
    table = dict(HolidayYear.objects.annotate(n=Count("dates")).values_list("year", "n"))
    this_year = dt.date.today().year
    last = max([this_year + 1, PACKAGE.last_year, *table, *extra])
    rows = []
    for year in range(last, PACKAGE.first_year - 1, -1):
        if year in table:
            source, count = "table", table[year]
        elif year in PACKAGE.years:
            source, count = "package", len(PACKAGE.entries(year))
        else:
            source, count = "missing", 0
        rows.append({"year": year, "source": source, "dates": count})
    return rows


def year_entries(year: int) -> tuple[str, list[HolidayEntry]]:
    """(source, entries) of one year: ``table``, ``package`` or ``missing``."""
    row = HolidayYear.objects.filter(year=year).first()
    if row is not None:
        return "table", [HolidayEntry(d.date, DayKind(d.kind), d.name) for d in row.dates.all()]
    if year in PACKAGE.years:
        return "package", PACKAGE.entries(year)
    return "missing", []


# --- calendars --------------------------------------------------------------------

def calendar_for(row: WorkCalendar) -> Calendar:
    """The pure calendar of ``row`` (cached until the row or the holiday data change)."""
    key = (row.pk, row.updated_at, _holiday_stamp() if row.observe_holidays else None)
    with _lock:
        cached = _calendars.get(key)
    if cached is not None:
        return cached
    cal = validate_spec(CalendarSpec.of(row))
    with _lock:
        if len(_calendars) > 200:
            _calendars.clear()
        _calendars[key] = cal
    return cal


def get_row(slug: str | None = None) -> WorkCalendar:
    slug = slug or DEFAULT_CALENDAR_SLUG
    row = WorkCalendar.objects.filter(slug=slug).first()
    if row is None:
        raise CalendarNotFound(slug)
    return row


def get_calendar(slug: str | None = None) -> tuple[WorkCalendar, Calendar]:
    row = get_row(slug)
    return row, calendar_for(row)


def parse_instant(text: str, tz: dt.tzinfo) -> dt.datetime:
    """ISO 8601 date-time (any offset, ``Z`` too); without an offset it is local to ``tz``.

    Raises ValueError for anything else.
    """
    value = dt.datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value


def parse_pause(text: str, tz: dt.tzinfo) -> Pause:
    """``START/END`` (ISO 8601 instants). Raises ValueError."""
    start, sep, end = text.partition("/")
    if not sep:
        raise ValueError(text)
    pause = (parse_instant(start, tz), parse_instant(end, tz))
    if pause[1] < pause[0]:
        raise ValueError(text)
    return pause


def parse_pause_args(texts: Iterable[str], tz: dt.tzinfo, option: str = "--pause"
                     ) -> list[Pause]:
    """The ``START/END`` arguments of a command; ValueError names the bad one."""
    pauses = []
    for text in texts:
        try:
            pauses.append(parse_pause(text, tz))
        except ValueError:
            raise ValueError(f"{option} {text!r} is not START/END with ISO 8601 instants, "
                             "the end not before the start") from None
    return pauses


def parse_instant_arg(text: str, tz: dt.tzinfo, option: str) -> dt.datetime:
    """An ISO 8601 argument of a command; ValueError names the option."""
    try:
        return parse_instant(text, tz)
    except ValueError:
        raise ValueError(f"{option} {text!r} is not an ISO 8601 date and time, "
                         "e.g. 2026-09-30T17:30+08:00") from None


def compute_due(
    cal: Calendar,
    start: dt.datetime,
    *,
    minutes: int | None = None,
    days: int | None = None,
    end_of_day: bool = False,
    pauses: Sequence[Pause] = (),
) -> Outcome[dt.datetime]:
    """Due time of ``start`` plus working minutes or working days."""
    if days is not None:
        return cal.add_working_days(start, days, end_of_day=end_of_day, pauses=pauses)
    return cal.add_working(start, dt.timedelta(minutes=minutes or 0), pauses)
