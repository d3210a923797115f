"""The obligation schedule of a contract: what is due, when, and by whom (docs/obligations.md).

Pure Python (no Django). From the ``obligations`` of a :class:`~careops.logic.contract.Contract`
and its working :class:`~careops.logic.worktime.Calendar`:

* :func:`schedule` lists every occurrence (:class:`Due`) over the service period or a window;
* :func:`report_due_after` is the report deadline of an occurrence actually done at an instant;
* :func:`status` tells each occurrence upcoming / due_soon / done / done_late / overdue;
* :func:`overdue_notices` is the idempotent notification source (like ``sla.warnings``).

Rules (the reference is docs/obligations.md):

* Periods are calendar periods — the day, the ISO week (Monday to Sunday), the calendar
  month, the quarter (Jan–Mar, …), the half year (Jan–Jun, Jul–Dec), the calendar year,
  or the whole service period (``every: contract``) — clipped to the service period. A
  contract starting mid-quarter has a partial first quarter that still owes the
  obligation (``partial`` is set); so does a partial last period.
* ``due_at`` is the close of the last working day inside the period (end of day). A
  period without any working day (a weekend day, a week of Spring Festival) is due at the
  close of the first working day after it.
* One-off obligations (``every: once``) run from the service start: the start day is not
  counted (民法典 第二百零一条); working days count to the close of the Nth working day
  after the start day; calendar days and months reach the corresponding date (a month
  without it: its last day, 第二百零二条), and a date that is not a working day moves to
  the next working day (第二百零三条), due at its close.
* A report due N working days "after the inspection" is due at the close of the Nth
  working day after the day the inspection was done (that day is not counted). The
  schedule shows it from the period's ``due_at`` (the latest compliant inspection); the
  tracker recomputes it from the actual instant with :func:`report_due_after`.
* ``times: N`` (at least N per period) is one occurrence that is done when its Nth
  completion is recorded.
"""

from __future__ import annotations

import calendar as _monthcal
import datetime as dt
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from careops.logic.contract import Contract, Duration, Obligation
from careops.logic.worktime import MAX_SEARCH_DAYS, Calendar

STATES = ("upcoming", "due_soon", "done", "done_late", "overdue")
DEFAULT_SOON_DAYS = 5
_DAY = dt.timedelta(days=1)
_LAST_INSTANT = dt.timedelta(days=1, microseconds=-1)


class ObligationError(ValueError):
    """A schedule that cannot be computed; ``str()`` is one line naming the input."""


@dataclass(frozen=True)
class Due:
    """One occurrence of an obligation."""

    obligation_code: str
    kind: str
    title: str
    owner: str
    every: str
    times: int
    period_start: dt.date
    period_end: dt.date
    due_at: dt.datetime
    report: str = ""
    report_due_at: dt.datetime | None = None
    partial: bool = False
    estimated_years: frozenset[int] = frozenset()

    @property
    def key(self) -> tuple[str, dt.date]:
        """What the tracker records completions under: (obligation code, period start)."""
        return self.obligation_code, self.period_start

    @property
    def estimated(self) -> bool:
        return bool(self.estimated_years)


@dataclass(frozen=True)
class DueStatus:
    due: Due
    state: str                      # one of STATES
    done_count: int = 0
    done_at: dt.datetime | None = None   # the completion that fulfilled the occurrence


@dataclass(frozen=True)
class OverdueNotice:
    due: Due
    state: str                      # overdue, or done_late when completed after the deadline
    at: dt.datetime                 # the instant it became overdue (its due_at)

    @property
    def key(self) -> str:
        code, start = self.due.key
        return f"obligation:{code}:{start.isoformat()}:overdue"


# --------------------------------------------------------------------------- calendar helpers
class _Trace:
    """Collects the years whose holiday data was missing while computing one value."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self.years: set[int] = set()

    def hours_end(self, day: dt.date) -> int | None:
        info = self.calendar.day_info(day)
        if info.estimated:
            self.years.add(day.year)
        return info.hours[-1].end if info.hours else None

    def close(self, day: dt.date, minute: int) -> dt.datetime:
        local = dt.datetime.combine(day, dt.time(), tzinfo=self.calendar.tz)
        return (local + dt.timedelta(minutes=minute)).astimezone(dt.UTC) \
            .astimezone(self.calendar.tz)

    def close_on_or_after(self, day: dt.date) -> dt.datetime:
        for _ in range(MAX_SEARCH_DAYS):
            end = self.hours_end(day)
            if end is not None:
                return self.close(day, end)
            day += _DAY
        raise ObligationError(f"calendar {self.calendar!r} has no working day after {day}")

    def last_close_in(self, start: dt.date, end: dt.date) -> dt.datetime:
        day = end
        while day >= start:
            minute = self.hours_end(day)
            if minute is not None:
                return self.close(day, minute)
            day -= _DAY
        return self.close_on_or_after(end + _DAY)

    def nth_working_close_after(self, day: dt.date, n: int) -> dt.datetime:
        """The close of the nth working day after ``day`` (``day`` itself not counted);
        n = 0: the close of ``day`` or, when it is not a working day, of the next one."""
        if n == 0:
            return self.close_on_or_after(day)
        last = dt.datetime.combine(day, dt.time(), tzinfo=self.calendar.tz) + _LAST_INSTANT
        outcome = self.calendar.add_working_days(last, n, end_of_day=True)
        self.years |= outcome.estimated_years
        return outcome.value


def _add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, _monthcal.monthrange(year, month)[1]))


def _after(trace: _Trace, day: dt.date, moment: dt.datetime | None,
           duration: Duration) -> dt.datetime:
    """The deadline ``duration`` after the day ``day`` (or after the instant ``moment``)."""
    amount, base = duration.normalised()
    if base == "working_days":
        return trace.nth_working_close_after(day, math.ceil(amount))
    if base == "months":
        return trace.close_on_or_after(_add_months(day, math.ceil(amount)))
    if base == "minutes" and moment is not None and duration.unit != "days":
        return (moment + dt.timedelta(minutes=amount)).astimezone(trace.calendar.tz)
    if base == "minutes":
        return trace.close_on_or_after(day + dt.timedelta(days=math.ceil(amount / 1440)))
    # working minutes or hours: from the instant, or from the day after ``day``
    start = moment if moment is not None else \
        dt.datetime.combine(day + _DAY, dt.time(), tzinfo=trace.calendar.tz)
    outcome = trace.calendar.add_working(start, dt.timedelta(minutes=amount))
    trace.years |= outcome.estimated_years
    return outcome.value


def report_due_after(done_at: dt.datetime, obligation: Obligation,
                     calendar: Calendar) -> tuple[dt.datetime, frozenset[int]] | None:
    """When the report of an occurrence done at ``done_at`` is due (and the estimated years).

    ``None`` when the obligation has no report deadline. Working days: the close of the
    Nth working day after the local day of ``done_at`` (that day is not counted, whether
    the work ended at 07:00 or at 23:00). Wall-clock hours run from the instant itself.
    """
    if obligation.report_due is None:
        return None
    if done_at.tzinfo is None:
        raise ObligationError("done_at must carry a time zone")
    trace = _Trace(calendar)
    local = done_at.astimezone(calendar.tz)
    due = _after(trace, local.date(), local, obligation.report_due)
    return due, frozenset(trace.years)


# --------------------------------------------------------------------------- periods
def _period_of(every: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar period of ``every`` containing ``day`` (unclipped)."""
    if every == "day":
        return day, day
    if every == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    months = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}[every]
    first = dt.date(day.year, (day.month - 1) // months * months + 1, 1)
    return first, _add_months(first, months) - _DAY


def _periods(every: str, start: dt.date, end: dt.date) -> Iterator[tuple[dt.date, dt.date, bool]]:
    """(start, end, partial) of every period of ``every`` clipped to [start, end]."""
    if every == "contract":
        yield start, end, False
        return
    day = start
    while day <= end:
        p_start, p_end = _period_of(every, day)
        clipped = (max(p_start, start), min(p_end, end))
        yield clipped[0], clipped[1], clipped != (p_start, p_end)
        day = p_end + _DAY


def _occurrences(ob: Obligation, contract: Contract, calendar: Calendar) -> Iterator[Due]:
    first, last = contract.period.start, contract.period.end

    def occurrence(p_start: dt.date, p_end: dt.date, due_at: dt.datetime, partial: bool,
                   trace: _Trace) -> Due:
        report_due_at = None
        found = report_due_after(due_at, ob, calendar)
        if found is not None:
            report_due_at, years = found
            trace.years |= years
        return Due(ob.code, ob.kind, ob.title, ob.owner, ob.every, ob.times, p_start, p_end,
                   due_at, ob.report, report_due_at, partial, frozenset(trace.years))

    if ob.every == "once":
        if ob.due_after_start is None:
            raise ObligationError(f"obligation {ob.code!r}: a one-off needs due_after_start")
        trace = _Trace(calendar)
        due_at = _after(trace, first, None, ob.due_after_start)
        yield occurrence(first, max(first, due_at.date()), due_at, False, trace)
        return
    for p_start, p_end, partial in _periods(ob.every, first, last):
        trace = _Trace(calendar)
        yield occurrence(p_start, p_end, trace.last_close_in(p_start, p_end), partial, trace)


def schedule(contract: Contract, calendar: Calendar, *, start: dt.date | None = None,
             end: dt.date | None = None) -> list[Due]:
    """Every occurrence of every obligation, ordered by ``due_at`` (then contract order).

    With ``start``/``end`` only the occurrences whose period overlaps that window are
    kept; periods are never cut at the window (the same occurrences as the whole
    schedule, filtered).
    """
    if start is not None and end is not None and end < start:
        raise ObligationError(f"the window ends ({end}) before it starts ({start})")
    out: list[tuple[dt.datetime, int, dt.date, Due]] = []
    for index, ob in enumerate(contract.obligations):
        for due in _occurrences(ob, contract, calendar):
            if (start is None or due.period_end >= start) and \
                    (end is None or due.period_start <= end):
                out.append((due.due_at, index, due.period_start, due))
    out.sort(key=lambda row: (row[0], row[1], row[2]))
    return [row[3] for row in out]


# --------------------------------------------------------------------------- status
def _completions(value: dt.datetime | Sequence[dt.datetime] | None) -> list[dt.datetime]:
    if value is None:
        return []
    items = [value] if isinstance(value, dt.datetime) else list(value)
    for item in items:
        if item.tzinfo is None:
            raise ObligationError("completion instants must carry a time zone")
    return sorted(items)


def status(dues: Iterable[Due],
           done: Mapping[tuple[str, dt.date], dt.datetime | Sequence[dt.datetime]],
           now: dt.datetime, calendar: Calendar, *,
           soon_days: int = DEFAULT_SOON_DAYS) -> list[DueStatus]:
    """The state of each occurrence at ``now``.

    ``done`` maps an occurrence's :attr:`Due.key` to the instant it was done, or to the
    instants of its completions (``times`` > 1 needs that many). ``done`` / ``done_late``:
    the fulfilling completion at or before / after ``due_at``; ``overdue``: not fulfilled
    and ``now`` is past ``due_at``; ``due_soon``: ``due_at`` falls at or before the close
    of the ``soon_days``-th working day after ``now``; ``upcoming`` otherwise.
    """
    if now.tzinfo is None:
        raise ObligationError("now must carry a time zone")
    if soon_days < 0:
        raise ObligationError("soon_days cannot be negative")
    horizon = calendar.add_working_days(now, soon_days, end_of_day=True).value
    out: list[DueStatus] = []
    for due in dues:
        completions = [t for t in _completions(done.get(due.key)) if t <= now]
        if len(completions) >= due.times:
            fulfilled = completions[due.times - 1]
            state = "done" if fulfilled <= due.due_at else "done_late"
            out.append(DueStatus(due, state, len(completions), fulfilled))
            continue
        if now > due.due_at:
            state = "overdue"
        elif due.due_at <= horizon:
            state = "due_soon"
        else:
            state = "upcoming"
        out.append(DueStatus(due, state, len(completions)))
    return out


def overdue_notices(statuses: Iterable[DueStatus],
                    previously_sent: Iterable[str] = ()) -> list[OverdueNotice]:
    """Occurrences that went past their deadline unfulfilled and were not notified yet.

    An occurrence fulfilled late is still notified once (``done_late``: the missed
    deadline matters for the penalties); one fulfilled on time never is. Record each
    returned ``key`` once sent; calling again then returns nothing new.
    """
    sent = set(previously_sent)
    out: list[OverdueNotice] = []
    for item in statuses:
        if item.state not in ("overdue", "done_late"):
            continue
        notice = OverdueNotice(item.due, item.state, item.due.due_at)
        if notice.key not in sent:
            out.append(notice)
    return out


# --------------------------------------------------------------------------- tracker helpers
def deadline(due_at: dt.datetime, report_due_at: dt.datetime | None) -> dt.datetime:
    """The instant an occurrence must be finished by: its report deadline when the
    obligation has one (the report is what closes it), else its due instant."""
    return report_due_at if report_due_at is not None else due_at


def is_overdue(open_: bool, due_at: dt.datetime, report_due_at: dt.datetime | None,
               now: dt.datetime) -> bool:
    """An occurrence still open past its :func:`deadline` (the tracker's ``overdue``)."""
    if now.tzinfo is None or due_at.tzinfo is None:
        raise ObligationError("instants must carry a time zone")
    return open_ and now > deadline(due_at, report_due_at)


def working_days_left(calendar: Calendar, now: dt.datetime, until: dt.datetime) -> int:
    """Working days after the local day of ``now`` up to and including the local day of
    ``until``: 0 when due today, 1 when due on the next working day. When ``until`` lies
    before today the result is negative: minus the working days after its day up to and
    including today (due yesterday, today a working day: -1)."""
    if now.tzinfo is None or until.tzinfo is None:
        raise ObligationError("instants must carry a time zone")
    today = now.astimezone(calendar.tz).date()
    day = until.astimezone(calendar.tz).date()
    if (day - today).days > MAX_SEARCH_DAYS or (today - day).days > MAX_SEARCH_DAYS:
        raise ObligationError(f"{until.isoformat()} is too far from {now.isoformat()}")
    sign, first, last = (1, today + _DAY, day) if day >= today else (-1, day + _DAY, today)
    count = 0
    while first <= last:
        if calendar.day_info(first).hours:
            count += 1
        first += _DAY
    return sign * count
