"""Working-time arithmetic: the clock every SLA of CareOps runs on.

No Django here. A :class:`Calendar` is a time zone, weekly business hours
(several intervals a day), optionally the statutory holidays and make-up
working days (调休) of a :class:`HolidaySource`, and per-date overrides.

Semantics (see also docs/calendars.md):

* Intervals are half-open ``[open, close)`` in local wall-clock minutes;
  ``24:00`` is allowed as a close. Touching intervals are merged.
* A day's hours: an override for the date wins (an empty override = closed);
  otherwise, when holidays are observed, a statutory holiday is closed, a
  make-up day has ``makeup_hours`` (by default Monday's) and any other day has
  the weekly hours of its weekday. Without holiday observation only the
  weekly hours count.
* When holidays are observed and the source has no data for a date's year,
  the date is taken as Monday-Friday working / Saturday-Sunday rest and the
  year is added to ``estimated_years`` of the result: nothing is guessed
  silently.
* A working clock started in closed time starts at the next opening.
  Adding an amount whose remaining reaches zero exactly at a close returns
  that close (due Friday 18:00, never Monday 08:00).
* ``add_working_days`` (same working-clock time): the start is moved to the
  next opening if it is in closed time; its local clock time ``c`` on working
  day D is carried to the Nth working day after D; if ``c`` is not inside that
  day's hours the result is the latest close at or before ``c``. A result at
  an opening is expressed as the close of the previous working period
  (Tuesday 08:00 becomes Monday 18:00, and 14:00 after a lunch break becomes
  12:00). N = 0 returns the normalised start.
* ``add_working_days(end_of_day=True)``: the anchor is the last working day
  whose first opening is at or before the start (a Saturday or a Monday 07:00
  start anchors on the previous working day); the result is the close of the
  last interval of the Nth working day after the anchor. N = 0 is the close
  of the working day of the normalised start.
* Pauses are wall-clock intervals ``(start, end)`` that never count; they may
  overlap each other. ``add_working`` skips them. The days variants compute
  the due time without pauses and then extend it by the working time the
  pauses covered in ``[start, due]`` (end-of-day: then to the close of that
  day). Pauses only ever move a due time later.
* A calendar without any working time raises :class:`NoWorkingTimeError`
  after searching :data:`MAX_SEARCH_DAYS` days instead of looping forever.

All instants are aware datetimes; results are in the calendar's time zone.
Internally everything is compared in UTC so that DST zones behave.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MINUTES_PER_DAY = 24 * 60
# Longest run of days without any working time before a search gives up.
MAX_SEARCH_DAYS = 3700
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
UTC = dt.UTC
_ZERO = dt.timedelta(0)
_EPSILON = dt.timedelta(microseconds=1)

T = TypeVar("T")


class CalendarError(ValueError):
    """Calendar data or an argument that cannot be used."""


class IntervalError(CalendarError):
    """An interval that cannot be read or is empty (``label`` names where)."""

    def __init__(self, label: str, text: str, reason: str) -> None:
        self.label = label
        self.text = text
        self.reason = reason
        super().__init__(f"{label}: {text!r} {reason}" if label else f"{text!r} {reason}")


class OverlapError(CalendarError):
    """Two intervals of the same day overlap."""

    def __init__(self, label: str, first: Interval, second: Interval) -> None:
        self.label = label
        self.first = first
        self.second = second
        super().__init__(f"{label}: {first} overlaps {second}")


class DateError(CalendarError):
    """A date that does not exist (2026-02-30)."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(f"{text!r} is not a valid date")


class NoWorkingTimeError(CalendarError):
    """The calendar has no working time in the searched range."""


class DayKind(enum.StrEnum):
    WORKDAY = "workday"
    REST = "rest"
    HOLIDAY = "holiday"
    MAKEUP = "makeup"


class HolidaySource(Protocol):
    def day_kind(self, day: dt.date) -> DayKind | None:
        """The kind of ``day``, or None when the source has no data for its year."""
        ...


_CLOCK = r"(\d{1,2}):(\d{2})"
_INTERVAL_RE = re.compile(rf"^\s*{_CLOCK}\s*[-–~]\s*{_CLOCK}\s*$")


def _minute(hour: str, minute: str) -> int | None:
    h, m = int(hour), int(minute)
    if m > 59 or h > 24 or (h == 24 and m):
        return None
    return h * 60 + m


def format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True, order=True)
class Interval:
    """``[start, end)`` in minutes after local midnight; ``end`` may be 1440 (24:00)."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not (0 <= self.start < MINUTES_PER_DAY and 0 < self.end <= MINUTES_PER_DAY):
            raise IntervalError("", str(self), "is outside 00:00-24:00")
        if self.end <= self.start:
            raise IntervalError("", str(self), "ends before it starts")

    def __str__(self) -> str:
        return f"{format_minute(self.start)}-{format_minute(self.end)}"

    @classmethod
    def parse(cls, text: str, label: str = "") -> Interval:
        """``"08:00-12:00"`` (24:00 allowed as the end)."""
        match = _INTERVAL_RE.match(text)
        if not match:
            raise IntervalError(label, text, "is not an interval like 08:00-12:00")
        start = _minute(match[1], match[2])
        end = _minute(match[3], match[4])
        if start is None or end is None or start >= MINUTES_PER_DAY:
            raise IntervalError(label, text, "is not a valid time of day")
        if end <= start:
            raise IntervalError(label, text, "ends before it starts")
        return cls(start, end)

    @property
    def minutes(self) -> int:
        return self.end - self.start


def normalise_intervals(items: Iterable[Interval | str], label: str) -> tuple[Interval, ...]:
    """Parse, sort and check one day's intervals; touching intervals are merged.

    Raises :class:`IntervalError` or :class:`OverlapError` naming ``label``.
    """
    parsed: list[Interval] = []
    for item in items:
        if isinstance(item, Interval):
            parsed.append(item)
        elif isinstance(item, str):
            parsed.append(Interval.parse(item, label))
        else:
            raise IntervalError(label, repr(item), "is not an interval like 08:00-12:00")
    parsed.sort()
    merged: list[Interval] = []
    for iv in parsed:
        if merged and iv.start < merged[-1].end:
            raise OverlapError(label, merged[-1], iv)
        if merged and iv.start == merged[-1].end:
            merged[-1] = Interval(merged[-1].start, iv.end)
        else:
            merged.append(iv)
    return tuple(merged)


def format_intervals(intervals: Iterable[Interval]) -> list[str]:
    return [str(iv) for iv in intervals]


class WeeklyHours:
    """Business hours per weekday (0 = Monday ... 6 = Sunday)."""

    def __init__(self, days: Mapping[int, Iterable[Interval | str]]) -> None:
        for weekday in days:
            if weekday not in range(7):
                raise CalendarError(f"weekday {weekday!r} is not 0 (Monday) to 6 (Sunday)")
        self._days = tuple(
            normalise_intervals(days.get(i, ()), WEEKDAY_NAMES[i]) for i in range(7)
        )

    @classmethod
    def on(cls, weekdays: Iterable[int], intervals: Iterable[Interval | str]) -> WeeklyHours:
        """The same intervals on each of ``weekdays``."""
        items = list(intervals)
        return cls({day: items for day in weekdays})

    def __getitem__(self, weekday: int) -> tuple[Interval, ...]:
        return self._days[weekday]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WeeklyHours) and self._days == other._days

    def __hash__(self) -> int:
        return hash(self._days)

    def __repr__(self) -> str:
        return f"WeeklyHours({self.as_lists()!r})"

    def as_lists(self) -> list[list[str]]:
        return [format_intervals(day) for day in self._days]

    @property
    def is_empty(self) -> bool:
        return not any(self._days)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """A computed value and the years whose holiday data was missing (estimated)."""

    value: T
    estimated_years: frozenset[int] = frozenset()

    @property
    def estimated(self) -> bool:
        return bool(self.estimated_years)


@dataclass(frozen=True)
class DayInfo:
    day: dt.date
    kind: DayKind
    hours: tuple[Interval, ...]
    estimated: bool
    override: bool

    @property
    def is_working_day(self) -> bool:
        return bool(self.hours)


Pause = tuple[dt.datetime, dt.datetime]
_Span = tuple[dt.datetime, dt.datetime]


def _require_aware(value: dt.datetime, name: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise CalendarError(f"{name} must be a date and time")
    if value.tzinfo is None or value.utcoffset() is None:
        raise CalendarError(f"{name} must carry a UTC offset")
    return value.astimezone(UTC)


def merge_pauses(pauses: Iterable[Pause]) -> list[_Span]:
    """Pauses as sorted, disjoint UTC spans. A pause that ends before it starts is refused."""
    spans: list[_Span] = []
    for index, (start, end) in enumerate(pauses):
        s = _require_aware(start, f"pause {index + 1} start")
        e = _require_aware(end, f"pause {index + 1} end")
        if e < s:
            raise CalendarError(f"pause {index + 1} ends before it starts")
        if e > s:
            spans.append((s, e))
    spans.sort()
    merged: list[_Span] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def parse_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise DateError(str(value)) from None


class Calendar:
    """A working-time calendar. Immutable; safe to share between threads."""

    def __init__(
        self,
        tz: ZoneInfo | str,
        weekly: WeeklyHours,
        *,
        observe_holidays: bool = False,
        holidays: HolidaySource | None = None,
        makeup_hours: Iterable[Interval | str] | None = None,
        overrides: Mapping[dt.date | str, Iterable[Interval | str]] | None = None,
        name: str = "",
    ) -> None:
        if isinstance(tz, str):
            try:
                tz = ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError):
                raise CalendarError(f"{tz!r} is not a known time zone") from None
        self.tz = tz
        self.weekly = weekly
        self.observe_holidays = observe_holidays
        self.holidays = holidays
        self.name = name
        if makeup_hours is None:
            self.makeup_hours = weekly[0]
        else:
            self.makeup_hours = normalise_intervals(makeup_hours, "make-up days")
        self.overrides: dict[dt.date, tuple[Interval, ...]] = {}
        for key, items in (overrides or {}).items():
            day = parse_date(key)
            if day in self.overrides:
                raise CalendarError(f"{day.isoformat()} is given twice")
            self.overrides[day] = normalise_intervals(items, day.isoformat())
        self._days: dict[dt.date, DayInfo] = {}
        self._periods: dict[dt.date, tuple[_Span, ...]] = {}

    def __repr__(self) -> str:
        return f"Calendar({self.name or self.tz.key!r})"

    # --- days -------------------------------------------------------------
    def day_info(self, day: dt.date) -> DayInfo:
        """What ``day`` is and its working hours."""
        info = self._days.get(day)
        if info is not None:
            return info
        weekday = day.weekday()
        estimated = False
        kind: DayKind | None = None
        if self.observe_holidays:
            kind = self.holidays.day_kind(day) if self.holidays is not None else None
            if kind is None:
                estimated = True
                kind = DayKind.WORKDAY if weekday < 5 else DayKind.REST
        else:
            kind = DayKind.WORKDAY if self.weekly[weekday] else DayKind.REST
        override = day in self.overrides
        if override:
            hours = self.overrides[day]
            estimated = False
        elif kind is DayKind.HOLIDAY:
            hours = ()
        elif kind is DayKind.MAKEUP:
            hours = self.makeup_hours
        else:
            hours = self.weekly[weekday]
        info = DayInfo(day, kind, hours, estimated, override)
        if len(self._days) < 20000:
            self._days[day] = info
        return info

    def _hours(self, day: dt.date, trace: set[int]) -> tuple[Interval, ...]:
        info = self.day_info(day)
        if info.estimated:
            trace.add(day.year)
        return info.hours

    def _at(self, day: dt.date, minute: int | dt.timedelta) -> dt.datetime:
        """The UTC instant of local wall-clock ``minute`` (or offset) on ``day``."""
        offset = minute if isinstance(minute, dt.timedelta) else dt.timedelta(minutes=minute)
        if offset >= dt.timedelta(days=1):
            day, offset = day + dt.timedelta(days=1), offset - dt.timedelta(days=1)
        local = dt.datetime.combine(day, dt.time(), tzinfo=self.tz) + offset
        return local.astimezone(UTC)

    def _local_date(self, t: dt.datetime) -> dt.date:
        return t.astimezone(self.tz).date()

    def _periods_of(self, day: dt.date, trace: set[int]) -> tuple[_Span, ...]:
        hours = self._hours(day, trace)
        periods = self._periods.get(day)
        if periods is None:
            # the day's hours as UTC spans, cached like the day itself (the hours are fixed)
            periods = tuple((self._at(day, iv.start), self._at(day, iv.end)) for iv in hours)
            if len(self._periods) < 20000:
                self._periods[day] = periods
        return periods

    def _periods_from(
        self, t: dt.datetime, trace: set[int], until: dt.datetime | None = None
    ) -> Iterator[_Span]:
        """Working periods that end after ``t``, in order (stops at ``until``)."""
        day = self._local_date(t)
        empty = 0
        stop: dt.date | None = None  # the first day whose local midnight is at or after until
        if until is not None:
            stop = self._local_date(until)
            if self._at(stop, 0) < until:
                stop += dt.timedelta(days=1)
        while True:
            if stop is not None and day >= stop:
                return
            periods = self._periods_of(day, trace)
            if periods:
                empty = 0
            else:
                empty += 1
                if until is None and empty > MAX_SEARCH_DAYS:
                    raise NoWorkingTimeError(
                        f"no working time within {MAX_SEARCH_DAYS} days after {day.isoformat()}"
                        f" in calendar {self!r}")
            for opening, close in periods:
                if close > t:
                    yield opening, close
            day += dt.timedelta(days=1)

    def _working_day_after(self, day: dt.date, n: int, trace: set[int]) -> dt.date:
        """The nth day with working hours after ``day``."""
        empty = 0
        while n > 0:
            day += dt.timedelta(days=1)
            if self._hours(day, trace):
                n -= 1
                empty = 0
            else:
                empty += 1
                if empty > MAX_SEARCH_DAYS:
                    raise NoWorkingTimeError(
                        f"no working day within {MAX_SEARCH_DAYS} days in calendar {self!r}")
        return day

    def _working_day_before(self, day: dt.date, trace: set[int]) -> dt.date:
        """The last day with working hours at or before ``day``."""
        for _ in range(MAX_SEARCH_DAYS):
            if self._hours(day, trace):
                return day
            day -= dt.timedelta(days=1)
        raise NoWorkingTimeError(
            f"no working day within {MAX_SEARCH_DAYS} days in calendar {self!r}")

    @staticmethod
    def _free(
        periods: Iterable[_Span], start: dt.datetime, pauses: Sequence[_Span]
    ) -> Iterator[_Span]:
        """The parts of ``periods`` after ``start`` that no pause covers."""
        for opening, close in periods:
            cur = max(opening, start)
            for p_start, p_end in pauses:
                if p_end <= cur:
                    continue
                if p_start >= close:
                    break
                if p_start > cur:
                    yield cur, p_start
                cur = max(cur, p_end)
                if cur >= close:
                    break
            if cur < close:
                yield cur, close

    def _add(
        self, start: dt.datetime, amount: dt.timedelta, pauses: Sequence[_Span], trace: set[int]
    ) -> dt.datetime:
        remaining = amount
        for seg_start, seg_end in self._free(self._periods_from(start, trace), start, pauses):
            if remaining <= seg_end - seg_start:
                return seg_start + remaining
            remaining -= seg_end - seg_start
        raise AssertionError("unreachable: the period search never ends without an error")

    def _elapsed(
        self, start: dt.datetime, end: dt.datetime, pauses: Sequence[_Span], trace: set[int]
    ) -> dt.timedelta:
        total = _ZERO
        for seg_start, seg_end in self._free(
            self._periods_from(start, trace, until=end), start, pauses
        ):
            if seg_start >= end:
                break
            total += min(seg_end, end) - seg_start
        return total

    def _result(self, value: dt.datetime, trace: set[int]) -> Outcome[dt.datetime]:
        return Outcome(value.astimezone(self.tz), frozenset(trace))

    # --- public operations ----------------------------------------------------
    def is_working(self, t: dt.datetime) -> Outcome[bool]:
        """Whether ``t`` is inside working time (closes are not)."""
        u = _require_aware(t, "instant")
        trace: set[int] = set()
        working = any(o <= u < c for o, c in self._periods_of(self._local_date(u), trace))
        return Outcome(working, frozenset(trace))

    def next_opening(self, t: dt.datetime) -> Outcome[dt.datetime]:
        """``t`` itself if it is working time, else the next opening."""
        u = _require_aware(t, "start")
        trace: set[int] = set()
        return self._result(self._add(u, _ZERO, (), trace), trace)

    def add_working(
        self, start: dt.datetime, amount: dt.timedelta, pauses: Iterable[Pause] = ()
    ) -> Outcome[dt.datetime]:
        """``start`` plus ``amount`` of working time, skipping ``pauses``."""
        u = _require_aware(start, "start")
        if amount < _ZERO:
            raise CalendarError("the amount of working time cannot be negative")
        trace: set[int] = set()
        return self._result(self._add(u, amount, merge_pauses(pauses), trace), trace)

    def elapsed(
        self, start: dt.datetime, end: dt.datetime, pauses: Iterable[Pause] = ()
    ) -> Outcome[dt.timedelta]:
        """Working time between ``start`` and ``end`` that no pause covers."""
        s = _require_aware(start, "start")
        e = _require_aware(end, "end")
        if e < s:
            raise CalendarError("end is before start")
        trace: set[int] = set()
        return Outcome(self._elapsed(s, e, merge_pauses(pauses), trace), frozenset(trace))

    def add_working_days(
        self,
        start: dt.datetime,
        n: int,
        *,
        end_of_day: bool = False,
        pauses: Iterable[Pause] = (),
    ) -> Outcome[dt.datetime]:
        """``n`` working days after ``start`` (see the module docstring)."""
        u = _require_aware(start, "start")
        if n < 0:
            raise CalendarError("the number of working days cannot be negative")
        spans = merge_pauses(pauses)
        trace: set[int] = set()
        if n == 0 and not end_of_day:
            return self._result(self._add(u, _ZERO, spans, trace), trace)
        due = self._end_of_day(u, n, trace) if end_of_day else self._same_clock(u, n, trace)
        if spans:
            covered = self._elapsed(u, due, (), trace) - self._elapsed(u, due, spans, trace)
            if covered > _ZERO:
                due = self._add(due, covered, spans, trace)
                if end_of_day:
                    day = self._local_date(due - _EPSILON)
                    due = self._at(day, self._hours(day, trace)[-1].end)
        return self._result(due, trace)

    def _same_clock(self, u: dt.datetime, n: int, trace: set[int]) -> dt.datetime:
        start = self._add(u, _ZERO, (), trace)
        local = start.astimezone(self.tz)
        clock = local - dt.datetime.combine(local.date(), dt.time(), tzinfo=self.tz)
        target = self._working_day_after(local.date(), n, trace)
        hours = self._hours(target, trace)
        for index, iv in enumerate(hours):
            if clock <= dt.timedelta(minutes=iv.start):
                if index:
                    return self._at(target, hours[index - 1].end)
                previous = self._working_day_before(target - dt.timedelta(days=1), trace)
                return self._at(previous, self._hours(previous, trace)[-1].end)
            if clock <= dt.timedelta(minutes=iv.end):
                return self._at(target, clock)
        return self._at(target, hours[-1].end)

    def _end_of_day(self, u: dt.datetime, n: int, trace: set[int]) -> dt.datetime:
        if n == 0:
            anchor = self._local_date(self._add(u, _ZERO, (), trace))
            return self._at(anchor, self._hours(anchor, trace)[-1].end)
        day = self._local_date(u)
        for _ in range(MAX_SEARCH_DAYS):
            hours = self._hours(day, trace)
            if hours and self._at(day, hours[0].start) <= u:
                break
            day -= dt.timedelta(days=1)
        else:
            raise NoWorkingTimeError(
                f"no working day within {MAX_SEARCH_DAYS} days in calendar {self!r}")
        target = self._working_day_after(day, n, trace)
        return self._at(target, self._hours(target, trace)[-1].end)
