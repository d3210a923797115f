"""SLA clocks derived from a ticket's event history (pure logic, no Django).

Nothing here is stored: every clock is computed again from the ticket's events
each time it is needed, so a due time can never drift from the history that
produced it. See docs/sla.md for the rules with worked examples.

Inputs
------
* :class:`Target` — one promise of a contract: ``respond`` within 30 working
  minutes, ``restore`` within 2 working days ... Units: ``minutes``/``hours``/
  ``days`` are wall-clock (plain elapsed time), ``working_minutes``/
  ``working_hours``/``working_days`` run on the contract's :class:`Calendar`
  (``working_days`` with the calendar's same-clock or end-of-day rule).
  ``start_after`` names another target whose *met* moment starts this clock
  (seed 004: the fault analysis report is due 3 working days after the incident
  is resolved); without it a clock starts when the ticket was opened.
* :class:`TicketEvent` — ``opened`` (value: the priority), ``status`` (value:
  the new status), ``priority`` (value: the new priority) and ``target_met``
  (value: the target's name; acknowledged → ``respond``, on site →
  ``on_site``, restored → ``restore``, resolved → ``resolve``, report submitted
  → ``report``). Events may come in any order: they are sorted by time, stably
  (two events at the same instant keep their given order).
* :class:`PausePolicy` — which statuses pause which targets (waiting for the
  hospital pauses restore and resolve, not respond).

Rules
-----
* **Target set.** ``targets_for(priority, in_hours)`` chooses the targets;
  ``in_hours`` tells whether the *opening instant* is working time on the
  calendar — contracts such as seeds 000/001 promise "in working hours respond
  within 0.5 h, outside within 1 h", and the instant the fault was reported
  decides which promise applies for the whole ticket.
* **Priority changes.** The targets of the *latest* priority apply, all
  measured from the opening (contracts measure from the report, not from the
  reclassification); each clock records the priority it used. Raising P3 → P1
  late can therefore produce a clock that is breached at once: that is the
  contract's reading, and it is visible rather than hidden.
* **Pauses.** A clock is paused while the ticket is in a status that the
  policy says pauses it. The spans come from the status history; an open span
  (the ticket is waiting now) ends at ``now``, so a paused clock's due keeps
  moving later while it waits. Pauses before the clock started or after it was
  met do not count. Working targets skip pauses as :mod:`worktime` does;
  wall-clock targets are extended by the paused wall-clock time.
* **As of now.** Events after ``now`` are left out: the clocks are those that
  were shown at ``now`` (a report can replay any past instant).
* **Met / breached.** The first ``target_met`` for a target at or after its
  start meets it. ``met_at <= due`` is met on time. A clock breaches at the
  instant ``due`` (``breached_at = due``); a target met after its due is
  "met late" and its state is ``breached`` with ``met_at`` set. An unmet clock
  is breached when ``now > due`` (at ``now == due`` it is still running with
  fraction 1).
* **Waived.** A ``target_waived`` event (value: the target) declares a target not
  needed — an incident fixed remotely needs no visit. Before the due it ends the
  clock in state ``waived``; after the due the breach stands (a promise cannot be
  waived once missed). A waiver after the target was met changes nothing.
* **Own calendar.** A target may carry its own calendar (a 7×24 one for "on site
  within 2 hours, day or night"); otherwise the ticket's working calendar times it.
* **States:** ``pending`` (the clock it waits for is not met yet), ``waived``,
  ``met``, ``breached``, ``paused``, ``running`` — in that order of precedence.
* **Fraction** = time measured (working or wall, pauses excluded) from the
  start to ``min(now, met_at)`` divided by the time measured from the start to
  the due. It is 1.0 at the due and keeps growing after it.
* **Estimated:** the years of every calendar result the clock used that had no
  holiday data, as in :mod:`worktime`.

:func:`warnings` turns clocks into the threshold (default 75 % and 90 %) and
breach notifications that are due and not yet sent; it is idempotent so a
periodic task can call it every minute. :func:`preview` prints the due of each
target for a hypothetical ticket (``careops sla preview``).

Speed: elapsed working time (the fraction of every clock, measured up to ``now``)
goes through a :class:`WorkIndex` per calendar — each day's working spans and a
prefix sum of working time — so a clock opened weeks ago costs two lookups rather
than a walk over every day; its results equal :meth:`Calendar.elapsed` (tested).
"""

from __future__ import annotations

import datetime as dt
import functools
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal, get_args

from careops.logic.worktime import Calendar, CalendarError, Pause, merge_pauses

Unit = Literal["minutes", "hours", "days", "working_minutes", "working_hours", "working_days"]
EventKind = Literal["opened", "status", "priority", "target_met", "target_waived"]
State = Literal["pending", "running", "paused", "met", "waived", "breached"]

UNITS: tuple[str, ...] = get_args(Unit)
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)
WALL_UNITS = frozenset({"minutes", "hours", "days"})
DEFAULT_THRESHOLDS: tuple[float, ...] = (0.75, 0.9)
_ZERO = dt.timedelta(0)
_UTC = dt.UTC
_SECONDS = {"minutes": 60, "hours": 3600, "days": 86400,
            "working_minutes": 60, "working_hours": 3600}


class SlaError(ValueError):
    """Input the engine cannot use; ``field`` names what was wrong."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


def _aware(value: object, name: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise SlaError(name, "must be a date and time with a UTC offset")
    return value.astimezone(_UTC)


@dataclass(frozen=True)
class Target:
    """One promise: ``name`` within ``amount`` ``unit`` (see the module docstring)."""

    name: str
    amount: int | Decimal
    unit: Unit
    end_of_day: bool = False
    start_after: str | None = None
    # a calendar of its own (a 7×24 one for "on site within 2 hours, day or night");
    # None: the ticket's working calendar
    calendar: Calendar | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.name:
            raise SlaError("name", "a target needs a name")
        if self.unit not in UNITS:
            raise SlaError(f"{self.name}.unit",
                           f"{self.unit!r} is not one of {', '.join(UNITS)}")
        try:
            amount = Decimal(self.amount)
        except (InvalidOperation, TypeError, ValueError):
            raise SlaError(f"{self.name}.amount", f"{self.amount!r} is not a number") from None
        if isinstance(self.amount, bool) or not amount.is_finite() or amount < 0:
            raise SlaError(f"{self.name}.amount", "must be a number of at least 0")
        if self.unit == "working_days" and amount != amount.to_integral_value():
            raise SlaError(f"{self.name}.amount", "working days must be a whole number")
        if self.end_of_day and self.unit != "working_days":
            raise SlaError(f"{self.name}.end_of_day", "only applies to working days")
        if self.start_after == self.name:
            raise SlaError(f"{self.name}.start_after", "a target cannot start after itself")

    @property
    def working(self) -> bool:
        return self.unit not in WALL_UNITS

    @functools.cached_property
    def duration(self) -> dt.timedelta:
        """The amount as time (not for ``working_days``, which count calendar days)."""
        if self.unit == "working_days":
            raise SlaError(f"{self.name}.unit", "working days are not a fixed duration")
        micro = Decimal(self.amount) * _SECONDS[self.unit] * 1_000_000
        return dt.timedelta(microseconds=int(micro))

    def __str__(self) -> str:
        tail = " end of day" if self.end_of_day else ""
        after = f" after {self.start_after}" if self.start_after else ""
        return f"{self.name} {self.amount} {self.unit}{tail}{after}"


@dataclass(frozen=True)
class TicketEvent:
    at: dt.datetime
    kind: EventKind
    value: str

    def __post_init__(self) -> None:
        _aware(self.at, "at")
        if self.kind not in EVENT_KINDS:
            raise SlaError("kind", f"{self.kind!r} is not one of {', '.join(EVENT_KINDS)}")


@dataclass(frozen=True)
class PausePolicy:
    """Status → the names of the targets it pauses."""

    pauses: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, mapping: Mapping[str, Iterable[str]]) -> PausePolicy:
        return cls({status: frozenset(names) for status, names in mapping.items()})

    def pauses_target(self, status: str, target: str) -> bool:
        return target in self.pauses.get(status, frozenset())


@dataclass(frozen=True)
class Clock:
    name: str
    target: Target
    priority: str
    state: State
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    paused: tuple[Pause, ...]
    met_at: dt.datetime | None
    breached_at: dt.datetime | None
    fraction: float
    estimated_years: frozenset[int]

    @property
    def estimated(self) -> bool:
        return bool(self.estimated_years)


@dataclass(frozen=True)
class Warning:
    """A notification that is due: a threshold crossing or a breach."""

    clock: str
    priority: str
    kind: Literal["threshold", "breach"]
    threshold: float | None
    at: dt.datetime

    @property
    def key(self) -> str:
        """Identifies this crossing: record it once sent."""
        label = "breach" if self.threshold is None else f"{self.threshold:g}"
        return f"{self.clock}:{self.priority}:{label}"


# --- measuring time --------------------------------------------------------------

def _wall_add(start: dt.datetime, amount: dt.timedelta, spans: Sequence[Pause]) -> dt.datetime:
    """``start`` + ``amount`` of wall-clock time that no (merged, sorted) span covers."""
    cur, remaining = start, amount
    for p_start, p_end in spans:
        if p_end <= cur:
            continue
        if p_start >= cur + remaining:
            break
        remaining -= max(p_start - cur, _ZERO)
        cur = max(cur, p_end)
    return cur + remaining


def _wall_elapsed(start: dt.datetime, end: dt.datetime, spans: Sequence[Pause]) -> dt.timedelta:
    total = end - start
    for p_start, p_end in spans:
        lo, hi = max(p_start, start), min(p_end, end)
        if hi > lo:
            total -= hi - lo
    return total


class WorkIndex:
    """Working time elapsed between two instants in O(1) days, for one calendar.

    Each day of a range holds its working spans in UTC and the working time of all
    earlier days of the range (a prefix sum), so the working time between two instants
    is a difference of two lookups instead of a walk over every day between them. The
    range grows on demand. Results — including the estimated years, the years of the
    days :meth:`Calendar.elapsed` would have looked at — equal the calendar's.
    """

    MARGIN = 400          # days added around a requested day when the range grows
    MAX_DAYS = 3700       # beyond this the calendar walks instead

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        # (first day, spans per day, working time before each day, estimated days before)
        self._data: tuple[dt.date, list[tuple[Pause, ...]], list[dt.timedelta], list[int]] = (
            dt.date(1, 1, 1), [], [_ZERO], [0])

    def _spans(self, day: dt.date) -> tuple[Pause, ...]:
        tz = self.calendar.tz
        out = []
        for iv in self.calendar.day_info(day).hours:
            pair = []
            for minute in (iv.start, iv.end):
                d, offset = day, dt.timedelta(minutes=minute)
                if offset >= dt.timedelta(days=1):
                    d, offset = d + dt.timedelta(days=1), offset - dt.timedelta(days=1)
                pair.append((dt.datetime.combine(d, dt.time(), tzinfo=tz) + offset)
                            .astimezone(_UTC))
            out.append((pair[0], pair[1]))
        return tuple(out)

    def _cover(self, first: dt.date, last: dt.date) -> bool:
        start, spans, _, _ = self._data
        if spans and start <= first and last < start + dt.timedelta(days=len(spans)):
            return True
        if spans:
            first, last = min(first, start), max(last, start + dt.timedelta(days=len(spans) - 1))
        first -= dt.timedelta(days=self.MARGIN)
        last += dt.timedelta(days=self.MARGIN)
        count = (last - first).days + 1
        if count > self.MAX_DAYS:
            return False
        new_spans: list[tuple[Pause, ...]] = []
        cum, est = [_ZERO], [0]
        for i in range(count):
            day = first + dt.timedelta(days=i)
            day_spans = self._spans(day)
            new_spans.append(day_spans)
            cum.append(cum[-1] + sum((e - s for s, e in day_spans), _ZERO))
            est.append(est[-1] + (1 if self.calendar.day_info(day).estimated else 0))
        self._data = (first, new_spans, cum, est)  # one assignment: readers see one snapshot
        return True

    def _worked(self, t: dt.datetime, data: tuple[dt.date, list[tuple[Pause, ...]],
                                                   list[dt.timedelta], list[int]]) -> dt.timedelta:
        """Working time from the start of the range to ``t``."""
        start, spans, cum, _ = data
        i = (t.astimezone(self.calendar.tz).date() - start).days
        total = cum[i]
        for s, e in spans[i]:
            if s >= t:
                break
            total += min(e, t) - s
        return total

    def elapsed(self, a: dt.datetime, b: dt.datetime,
                pauses: Sequence[Pause]) -> tuple[dt.timedelta, frozenset[int]]:
        """Like :meth:`Calendar.elapsed` with merged UTC ``pauses``; ``a < b``."""
        tz = self.calendar.tz
        first = a.astimezone(tz).date()
        stop = b.astimezone(tz).date()        # the walk visits the days before ``stop`` ...
        midnight = dt.datetime.combine(stop, dt.time(), tzinfo=tz)
        if midnight < b:                      # ... and ``stop`` itself unless b is its midnight
            stop += dt.timedelta(days=1)
        if not self._cover(first, stop):
            out = self.calendar.elapsed(a, b, pauses)
            return out.value, out.estimated_years
        data = self._data
        total = self._worked(b, data) - self._worked(a, data)
        for p_start, p_end in pauses:
            lo, hi = max(p_start, a), min(p_end, b)
            if hi > lo:
                total -= self._worked(hi, data) - self._worked(lo, data)
        day0, _, _, est = data
        i, j = (first - day0).days, (stop - day0).days
        years: set[int] = set()
        if est[j] > est[i]:
            for year in range(first.year, (stop - dt.timedelta(days=1)).year + 1):
                lo_i = max(i, (dt.date(year, 1, 1) - day0).days)
                hi_j = min(j, (dt.date(year + 1, 1, 1) - day0).days)
                if est[hi_j] > est[lo_i]:
                    years.add(year)
        return total, frozenset(years)


_INDEXES: weakref.WeakKeyDictionary[Calendar, WorkIndex] = weakref.WeakKeyDictionary()


def work_index(calendar: Calendar) -> WorkIndex:
    """The shared index of ``calendar`` (calendars are immutable)."""
    index = _INDEXES.get(calendar)
    if index is None:
        index = _INDEXES[calendar] = WorkIndex(calendar)
    return index


class _Measure:
    """Due, elapsed and "instant at" for one target on one calendar."""

    def __init__(self, target: Target, calendar: Calendar, years: set[int]) -> None:
        self.target = target
        self.calendar = calendar
        self.years = years

    def due(self, start: dt.datetime, spans: Sequence[Pause]) -> dt.datetime:
        t = self.target
        if not t.working:
            return _wall_add(start, t.duration, spans).astimezone(self.calendar.tz)
        if t.unit == "working_days":
            out = self.calendar.add_working_days(
                start, int(t.amount), end_of_day=t.end_of_day, pauses=spans)
        else:
            out = self.calendar.add_working(start, t.duration, spans)
        self.years |= out.estimated_years
        return out.value

    def elapsed(self, start: dt.datetime, end: dt.datetime,
                spans: Sequence[Pause]) -> dt.timedelta:
        if end <= start:
            return _ZERO
        if not self.target.working:
            return _wall_elapsed(start, end, spans)
        value, years = work_index(self.calendar).elapsed(start, end, spans)
        self.years |= years
        return value

    def add(self, start: dt.datetime, amount: dt.timedelta,
            spans: Sequence[Pause]) -> dt.datetime:
        if not self.target.working:
            return _wall_add(start, amount, spans).astimezone(self.calendar.tz)
        out = self.calendar.add_working(start, amount, spans)
        self.years |= out.estimated_years
        return out.value


# --- history ---------------------------------------------------------------------

@dataclass(frozen=True)
class _History:
    opened_at: dt.datetime
    priority: str
    statuses: tuple[tuple[dt.datetime, str], ...]
    met: Mapping[str, tuple[dt.datetime, ...]]
    waived: Mapping[str, dt.datetime]


def _read(events: Iterable[TicketEvent], now: dt.datetime) -> _History:
    """The history as known at ``now``: later events are left out."""
    ordered = sorted(events, key=lambda e: e.at.astimezone(_UTC))
    opened = [e for e in ordered if e.kind == "opened"]
    if not opened:
        raise SlaError("events", "the history has no 'opened' event")
    if opened[0].at > now:
        raise SlaError("now", "is before the ticket was opened")
    ordered = [e for e in ordered if e.at <= now]
    first = opened[0]
    priority = first.value
    statuses: list[tuple[dt.datetime, str]] = []
    met: dict[str, list[dt.datetime]] = {}
    waived: dict[str, dt.datetime] = {}
    for e in ordered:
        at = e.at.astimezone(_UTC)
        if e.kind == "priority":
            priority = e.value
        elif e.kind == "status":
            statuses.append((at, e.value))
        elif e.kind == "target_met":
            met.setdefault(e.value, []).append(at)
        elif e.kind == "target_waived":
            waived.setdefault(e.value, at)
    return _History(first.at.astimezone(_UTC), priority, tuple(statuses),
                    {k: tuple(v) for k, v in met.items()}, waived)


def _pause_spans(history: _History, policy: PausePolicy, target: str,
                 start: dt.datetime, end: dt.datetime) -> list[Pause]:
    """Spans inside ``[start, end]`` during which the status paused ``target``."""
    spans: list[Pause] = []
    since: dt.datetime | None = None
    for at, status in history.statuses:
        pausing = policy.pauses_target(status, target)
        if pausing and since is None:
            since = at
        elif not pausing and since is not None:
            spans.append((since, at))
            since = None
    if since is not None:
        spans.append((since, max(since, end)))
    clipped = [(max(s, start), min(e, end)) for s, e in spans]
    return [(s, e) for s, e in clipped if e > s]


def opened_in_hours(calendar: Calendar, opened_at: dt.datetime) -> tuple[bool, frozenset[int]]:
    """Whether the opening instant is working time (and the estimated years)."""
    out = calendar.is_working(opened_at)
    return out.value, out.estimated_years


TargetsFor = Callable[[str, bool], Sequence[Target]]


def _order(targets: Sequence[Target]) -> list[Target]:
    """Targets so that every ``start_after`` comes after the target it names."""
    names = [t.name for t in targets]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise SlaError(dup, "the target is given twice")
    by_name = {t.name: t for t in targets}
    done: list[Target] = []
    seen: set[str] = set()
    for t in targets:
        chain: list[Target] = []
        cur: Target | None = t
        while cur is not None and cur.name not in seen:
            if cur in chain:
                raise SlaError(f"{cur.name}.start_after", "the targets start after each other")
            chain.append(cur)
            after = cur.start_after
            if after is not None and after not in by_name:
                raise SlaError(f"{cur.name}.start_after", f"there is no target {after!r}")
            cur = by_name[after] if after is not None else None
        for item in reversed(chain):
            seen.add(item.name)
            done.append(item)
    return done


def compute_clocks(
    events: Iterable[TicketEvent],
    targets_for: TargetsFor,
    calendar: Calendar,
    policy: PausePolicy,
    now: dt.datetime,
) -> list[Clock]:
    """Every clock of the ticket at ``now``, in the order ``targets_for`` gave them."""
    now_u = _aware(now, "now")
    history = _read(events, now_u)
    in_hours, years0 = opened_in_hours(calendar, history.opened_at)
    targets = list(targets_for(history.priority, in_hours))
    clocks: dict[str, Clock] = {}
    for target in _order(targets):
        clocks[target.name] = _clock(target, history, calendar, policy, now_u, clocks, years0)
    return [clocks[t.name] for t in targets]


def _clock(target: Target, history: _History, calendar: Calendar, policy: PausePolicy,
           now: dt.datetime, done: Mapping[str, Clock], years0: frozenset[int]) -> Clock:
    years = set(years0)
    calendar = target.calendar or calendar
    if target.start_after is None:
        start: dt.datetime | None = history.opened_at
    else:
        start = done[target.start_after].met_at
        start = start.astimezone(_UTC) if start is not None else None
    if start is None:
        return Clock(target.name, target, history.priority, "pending", None, None, (), None,
                     None, 0.0, frozenset(years))
    measure = _Measure(target, calendar, years)
    met_at = next((m for m in history.met.get(target.name, ()) if m >= start), None)
    waived_at = history.waived.get(target.name)
    if waived_at is not None and (waived_at < start or (met_at is not None
                                                        and met_at <= waived_at)):
        waived_at = None
    stop = met_at if met_at is not None else waived_at
    end = max(stop if stop is not None else now, start)
    spans = _pause_spans(history, policy, target.name, start, end)
    merged = merge_pauses(spans)
    due = measure.due(start, merged)
    due_u = due.astimezone(_UTC)
    # working minutes/hours and wall-clock units measure exactly their amount up to the due
    budget = (measure.elapsed(start, due_u, merged) if target.unit == "working_days"
              else target.duration)
    used = measure.elapsed(start, end, merged)
    fraction = used / budget if budget > _ZERO else (1.0 if end >= due_u else 0.0)
    if waived_at is not None and waived_at <= due_u:
        # declared not needed before its due (no visit was needed): no promise to keep;
        # declared after the due, the breach stands
        state: State = "waived"
        breached_at = None
    elif met_at is not None and met_at <= due_u:
        state = "met"
        breached_at = None
    elif (met_at is not None) or now > due_u:
        state, breached_at = "breached", due
    elif _paused_now(history, policy, target.name, end):
        state, breached_at = "paused", None
    else:
        state, breached_at = "running", None
    tz = calendar.tz
    return Clock(
        name=target.name, target=target, priority=history.priority, state=state,
        started_at=start.astimezone(tz), due_at=due,
        paused=tuple((s.astimezone(tz), e.astimezone(tz)) for s, e in spans),
        met_at=met_at.astimezone(tz) if met_at is not None else None,
        breached_at=breached_at, fraction=fraction, estimated_years=frozenset(years))


def _paused_now(history: _History, policy: PausePolicy, target: str, at: dt.datetime) -> bool:
    status = None
    for when, value in history.statuses:
        if when > at:
            break
        status = value
    return status is not None and policy.pauses_target(status, target)


def warnings(
    clocks: Iterable[Clock],
    calendar: Calendar,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    previously_sent: Iterable[str] = (),
) -> list[Warning]:
    """Crossings (and breaches) that have happened and whose key is not in ``previously_sent``.

    A clock met on time warns of nothing more; a breached clock (met late or not)
    yields only its breach — the lower thresholds it skipped are not sent after
    the fact. Each warning carries the instant of the crossing. Record each
    returned ``key`` once sent; calling again then returns nothing new.
    """
    for value in thresholds:
        if not 0 < value < 1:
            raise SlaError("thresholds", f"{value!r} is not between 0 and 1")
    sent = set(previously_sent)
    out: list[Warning] = []
    for clock in clocks:
        if clock.state in ("met", "waived", "pending") or clock.due_at is None:
            continue
        if clock.state == "breached":
            assert clock.breached_at is not None
            w = Warning(clock.name, clock.priority, "breach", None, clock.breached_at)
            if w.key not in sent:
                out.append(w)
            continue
        assert clock.started_at is not None
        for value in sorted(thresholds):
            if clock.fraction < value:
                break
            w = Warning(clock.name, clock.priority, "threshold", value, clock.due_at)
            if w.key in sent:
                continue
            measure = _Measure(clock.target, clock.target.calendar or calendar, set())
            spans = merge_pauses(clock.paused)
            budget = measure.elapsed(clock.started_at, clock.due_at, spans)
            at = measure.add(clock.started_at, budget * value, spans)
            out.append(Warning(clock.name, clock.priority, "threshold", value, at))
    return out


def preview(
    targets: Sequence[Target],
    opened_at: dt.datetime,
    calendar: Calendar,
    pauses: Iterable[Pause] = (),
) -> list[tuple[str, str, tuple[int, ...]]]:
    """``(name, due ISO 8601, estimated years)`` per target of a ticket opened at ``opened_at``.

    The pauses apply to every target. A ``start_after`` target is previewed as if
    the target it follows were met exactly at its due.
    """
    start = _aware(opened_at, "opened")
    try:
        spans = merge_pauses(pauses)
    except CalendarError as exc:
        raise SlaError("pauses", str(exc)) from None
    dues: dict[str, dt.datetime] = {}
    rows: dict[str, tuple[str, str, tuple[int, ...]]] = {}
    for target in _order(targets):
        years: set[int] = set()
        begin = start if target.start_after is None else dues[target.start_after]
        due = _Measure(target, target.calendar or calendar, years).due(begin, spans)
        dues[target.name] = due.astimezone(_UTC)
        rows[target.name] = (target.name, due.isoformat(), tuple(sorted(years)))
    return [rows[t.name] for t in targets]


def format_preview(rows: Iterable[tuple[str, str, tuple[int, ...]]]) -> str:
    """The ``TARGET DUE`` lines of ``careops sla preview``."""
    lines = []
    for name, due, years in rows:
        tail = ""
        if years:
            tail = " estimated: no holiday data for " + ", ".join(str(y) for y in years)
        lines.append(f"{name} {due}{tail}")
    return "\n".join(lines)
