"""The pure SLA engine: hand-checked seed cases on the default calendar and properties.

Default calendar: 08:00-18:00 on Chinese working days, Asia/Shanghai, with the 2026
notice (国庆 10/1-10/7 off, Sat 10/10 worked). Seed 001: in working hours respond
within 0.5 h and be on site within 1 h; outside respond within 1 h and on site within
2 h (plain hours); repair within 2 working days.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careops.logic.holidays import PackageHolidays
from careops.logic.sla import (
    Clock,
    PausePolicy,
    SlaError,
    Target,
    TicketEvent,
    compute_clocks,
    format_preview,
    preview,
    warnings,
    work_index,
)
from careops.logic.worktime import Calendar, WeeklyHours, merge_pauses

SH = ZoneInfo("Asia/Shanghai")
CAL = Calendar(SH, WeeklyHours.on(range(5), ["08:00-18:00"]), observe_holidays=True,
               holidays=PackageHolidays())
MIN = dt.timedelta(minutes=1)

IN_HOURS = [Target("respond", Decimal("0.5"), "hours"),
            Target("on_site", 1, "working_hours"),
            Target("restore", 2, "working_days"),
            Target("report", 3, "working_days", start_after="restore")]
OUT_OF_HOURS = [Target("respond", 1, "hours"),
                Target("on_site", 2, "hours"),
                Target("restore", 2, "working_days"),
                Target("report", 3, "working_days", start_after="restore")]
P1 = [Target("respond", 15, "working_minutes"), Target("restore", 2, "working_hours")]
P3 = [Target("respond", 2, "working_hours"), Target("restore", 24, "hours")]
POLICY = PausePolicy.of({"waiting_for_hospital": ["restore", "report"],
                         "waiting_for_third_party": ["restore"]})


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)  # type: ignore[misc]


def seed001(priority: str, in_hours: bool) -> list[Target]:
    return IN_HOURS if in_hours else OUT_OF_HOURS


def by_priority(priority: str, in_hours: bool) -> list[Target]:
    return P1 if priority == "P1" else P3


def ev(when: dt.datetime, kind: str, value: str) -> TicketEvent:
    return TicketEvent(when, kind, value)  # type: ignore[arg-type]


def clocks(events: list[TicketEvent], now: dt.datetime, targets=seed001) -> dict[str, Clock]:  # type: ignore[no-untyped-def]
    return {c.name: c for c in compute_clocks(events, targets, CAL, POLICY, now)}


# --- hand-checked --------------------------------------------------------------------

def test_it_previews_seed_001_exactly() -> None:
    rows = preview(IN_HOURS, at(2026, 9, 30, 17, 30), CAL)
    assert rows == [
        ("respond", "2026-09-30T18:00:00+08:00", ()),
        ("on_site", "2026-10-08T08:30:00+08:00", ()),
        ("restore", "2026-10-09T17:30:00+08:00", ()),
        # 3 working days after Fri 10/9 17:30: Sat 10/10 (调休), Mon 10/12, Tue 10/13
        ("report", "2026-10-13T17:30:00+08:00", ()),
    ]


def test_it_uses_the_outside_hours_promise_when_reported_at_night() -> None:
    rows = preview(OUT_OF_HOURS, at(2026, 9, 30, 20, 0), CAL)
    assert rows[0] == ("respond", "2026-09-30T21:00:00+08:00", ())
    assert rows[1] == ("on_site", "2026-09-30T22:00:00+08:00", ())
    # the working-day clock starts at the next opening (Thu 10/8 08:00); two working days
    # later is an opening, written as the previous close: Fri 10/9 18:00
    assert rows[2] == ("restore", "2026-10-09T18:00:00+08:00", ())


def test_it_chooses_the_target_set_by_the_opening_instant() -> None:
    night = clocks([ev(at(2026, 9, 30, 20, 0), "opened", "P2")], at(2026, 9, 30, 20, 30))
    day = clocks([ev(at(2026, 9, 30, 17, 30), "opened", "P2")], at(2026, 9, 30, 17, 40))
    assert night["respond"].due_at == at(2026, 9, 30, 21, 0)
    assert day["respond"].due_at == at(2026, 9, 30, 18, 0)
    assert day["respond"].state == "running"
    assert day["respond"].fraction == pytest.approx(10 / 30)


def test_it_flags_estimated_years() -> None:
    rows = preview([Target("restore", 2, "working_days")], at(2026, 12, 31, 17, 0), CAL)
    assert rows[0][2] == (2027,)
    assert "estimated: no holiday data for 2027" in format_preview(rows)


def test_it_meets_breaches_and_pauses_on_one_ticket() -> None:
    events = [
        ev(at(2026, 9, 30, 17, 30), "opened", "P2"),
        ev(at(2026, 9, 30, 17, 45), "target_met", "respond"),
        ev(at(2026, 10, 8, 9, 0), "target_met", "on_site"),
        ev(at(2026, 10, 8, 10, 0), "status", "waiting_for_hospital"),
    ]
    got = clocks(events, at(2026, 10, 9, 12, 0))
    assert got["respond"].state == "met" and got["respond"].breached_at is None
    assert got["on_site"].state == "breached"          # met late
    assert got["on_site"].met_at == at(2026, 10, 8, 9, 0)
    assert got["on_site"].breached_at == at(2026, 10, 8, 8, 30)
    restore = got["restore"]
    assert restore.state == "paused"
    assert restore.paused == ((at(2026, 10, 8, 10, 0), at(2026, 10, 9, 12, 0)),)
    # 12 working hours paused so far: 10/9 17:30 + 12 h = 10/9 18:00, Sat 10/10 (调休) 10 h,
    # Mon 10/12 08:00 + 1.5 h
    assert restore.due_at == at(2026, 10, 12, 9, 30)
    assert restore.fraction == pytest.approx(2.5 / 20)
    assert got["report"].state == "pending" and got["report"].due_at is None


def test_a_paused_clock_keeps_moving_its_due() -> None:
    events = [ev(at(2026, 11, 2, 9, 0), "opened", "P3"),
              ev(at(2026, 11, 2, 10, 0), "status", "waiting_for_third_party")]
    first = clocks(events, at(2026, 11, 2, 12, 0), by_priority)["restore"]
    later = clocks(events, at(2026, 11, 2, 15, 0), by_priority)["restore"]
    assert first.state == later.state == "paused"
    assert first.due_at == at(2026, 11, 3, 11, 0)     # 24 h + 2 h paused
    assert later.due_at == at(2026, 11, 3, 14, 0)
    assert first.fraction == later.fraction == pytest.approx(1 / 24)


def test_a_pause_that_ends_resumes_the_clock() -> None:
    events = [ev(at(2026, 11, 2, 9, 0), "opened", "P1"),
              ev(at(2026, 11, 2, 9, 30), "status", "waiting_for_hospital"),
              ev(at(2026, 11, 2, 10, 0), "status", "in_progress")]
    restore = clocks(events, at(2026, 11, 2, 10, 30), by_priority)["restore"]
    assert restore.state == "running"
    assert restore.due_at == at(2026, 11, 2, 11, 30)
    assert restore.fraction == pytest.approx(1 / 2)


def test_a_priority_change_recomputes_from_the_opening() -> None:
    events = [ev(at(2026, 11, 2, 9, 0), "opened", "P3"),
              ev(at(2026, 11, 2, 9, 20), "priority", "P1")]
    got = clocks(events, at(2026, 11, 2, 9, 30), by_priority)
    assert got["respond"].priority == "P1"
    assert got["respond"].due_at == at(2026, 11, 2, 9, 15)
    assert got["respond"].state == "breached"
    assert got["restore"].due_at == at(2026, 11, 2, 11, 0)


def test_it_warns_each_crossing_once() -> None:
    events = [ev(at(2026, 11, 2, 9, 0), "opened", "P1")]
    assert warnings(compute_clocks(events, by_priority, CAL, POLICY, at(2026, 11, 2, 9, 10)),
                    CAL) == []
    now = at(2026, 11, 2, 10, 40)                   # restore at 100/120 = 0.83
    found = warnings(compute_clocks(events, by_priority, CAL, POLICY, now), CAL)
    assert [w.key for w in found] == ["respond:P1:breach", "restore:P1:0.75"]
    assert found[0].at == at(2026, 11, 2, 9, 15)
    assert found[1].at == at(2026, 11, 2, 10, 30)
    sent = {w.key for w in found}
    again = compute_clocks(events, by_priority, CAL, POLICY, now)
    assert warnings(again, CAL, previously_sent=sent) == []
    later = warnings(compute_clocks(events, by_priority, CAL, POLICY, at(2026, 11, 2, 11, 1)),
                     CAL, previously_sent=sent)
    assert [w.key for w in later] == ["restore:P1:breach"]


def test_a_clock_met_on_time_warns_of_nothing() -> None:
    events = [ev(at(2026, 11, 2, 9, 0), "opened", "P1"),
              ev(at(2026, 11, 2, 9, 14), "target_met", "respond")]
    got = compute_clocks(events, by_priority, CAL, POLICY, at(2026, 11, 2, 9, 50))
    assert [w.key for w in warnings(got, CAL)] == []


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"name": "x", "amount": 1, "unit": "weeks"}, "x.unit"),
    ({"name": "x", "amount": -1, "unit": "hours"}, "x.amount"),
    ({"name": "x", "amount": Decimal("1.5"), "unit": "working_days"}, "x.amount"),
    ({"name": "x", "amount": 1, "unit": "hours", "end_of_day": True}, "x.end_of_day"),
    ({"name": "x", "amount": "many", "unit": "hours"}, "x.amount"),
])
def test_it_refuses_a_bad_target_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(SlaError) as err:
        Target(**kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


def test_it_refuses_histories_and_target_sets_it_cannot_use() -> None:
    with pytest.raises(SlaError, match="opened"):
        compute_clocks([ev(at(2026, 11, 2, 9), "status", "x")], by_priority, CAL, POLICY,
                       at(2026, 11, 2, 10))
    loop = [Target("a", 1, "hours", start_after="b"), Target("b", 1, "hours", start_after="a")]
    with pytest.raises(SlaError, match="after each other"):
        preview(loop, at(2026, 11, 2, 9), CAL)
    with pytest.raises(SlaError, match="no target"):
        preview([Target("a", 1, "hours", start_after="zz")], at(2026, 11, 2, 9), CAL)
    with pytest.raises(SlaError) as err:
        compute_clocks([ev(at(2026, 11, 2, 9), "opened", "P1")], by_priority, CAL, POLICY,
                       dt.datetime(2026, 11, 2, 10))
    assert err.value.field == "now"
    with pytest.raises(SlaError) as err:
        warnings([], CAL, thresholds=(1.5,))
    assert err.value.field == "thresholds"


# --- properties ----------------------------------------------------------------------

START = at(2026, 1, 1)
instants = st.integers(0, 60 * 24 * 400).map(lambda m: START + m * MIN)
targets = st.one_of(
    st.builds(Target, st.just("t"), st.integers(0, 3000), st.sampled_from(
        ["minutes", "working_minutes"])),
    st.builds(Target, st.just("t"), st.integers(0, 40),
              st.sampled_from(["hours", "working_hours"])),
    st.builds(Target, st.just("t"), st.integers(0, 6), st.just("working_days"), st.booleans()),
    st.builds(Target, st.just("t"), st.integers(0, 4), st.just("days")),
)
PAUSING = PausePolicy.of({"wait": ["t"]})


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[TicketEvent], dt.datetime]:
    opened = draw(instants)
    offsets = draw(st.lists(st.integers(0, 60 * 24 * 20), max_size=6))
    statuses = draw(st.lists(st.sampled_from(["wait", "work"]), min_size=len(offsets),
                             max_size=len(offsets)))
    events = [ev(opened, "opened", "P")]
    events += [ev(opened + o * MIN, "status", s) for o, s in zip(offsets, statuses, strict=True)]
    if draw(st.booleans()):
        events.append(ev(opened + draw(st.integers(0, 60 * 24 * 30)) * MIN, "target_met", "t"))
    now = opened + draw(st.integers(0, 60 * 24 * 30)) * MIN
    return events, now


def one(events: list[TicketEvent], target: Target, now: dt.datetime,
        policy: PausePolicy = PAUSING) -> Clock:
    return compute_clocks(events, lambda p, h: [target], CAL, policy, now)[0]


FAST = settings(max_examples=200, deadline=None)


@FAST
@given(target=targets, opened=instants, later=st.integers(0, 60 * 24 * 30))
def test_without_pauses_the_due_is_the_calendar_computation(
        target: Target, opened: dt.datetime, later: int) -> None:
    clock = one([ev(opened, "opened", "P")], target, opened + later * MIN)
    if target.unit == "working_days":
        expected = CAL.add_working_days(opened, int(target.amount),
                                        end_of_day=target.end_of_day).value
    elif target.working:
        expected = CAL.add_working(opened, target.duration).value
    else:
        expected = opened + target.duration
    assert clock.due_at == expected
    assert clock.paused == ()


@FAST
@given(target=targets, history=histories())
def test_a_pause_never_makes_a_due_earlier(
        target: Target, history: tuple[list[TicketEvent], dt.datetime]) -> None:
    events, now = history
    paused = one(events, target, now)
    plain = one(events, target, now, PausePolicy())
    assert paused.due_at is not None and plain.due_at is not None
    assert paused.due_at >= plain.due_at


@FAST
@given(target=targets, history=histories(), seed=st.integers(0, 1000))
def test_event_order_does_not_matter(
        target: Target, history: tuple[list[TicketEvent], dt.datetime], seed: int) -> None:
    events, now = history
    shuffled = list(events)
    random.Random(seed).shuffle(shuffled)
    stable = sorted(shuffled, key=lambda e: e.at)
    assert one(shuffled, target, now) == one(stable, target, now)


@FAST
@given(target=targets, history=histories(), steps=st.lists(st.integers(0, 60 * 24 * 5),
                                                           min_size=2, max_size=4))
def test_fraction_grows_with_now_once_the_pauses_are_over(
        target: Target, history: tuple[list[TicketEvent], dt.datetime], steps: list[int]) -> None:
    events = [*history[0], ev(max(e.at for e in history[0]), "status", "work")]
    last = max(e.at for e in events)
    fractions = [one(events, target, last + s * MIN).fraction for s in sorted(steps)]
    assert fractions == sorted(fractions)


@FAST
@given(target=targets, opened=instants, met_after=st.integers(0, 60 * 24 * 30),
       history=histories())
def test_met_before_due_is_met_and_after_due_is_breached_at_due(
        target: Target, opened: dt.datetime, met_after: int,
        history: tuple[list[TicketEvent], dt.datetime]) -> None:
    events = [e for e in history[0] if e.kind == "status"]
    base = [ev(opened, "opened", "P")] + [
        ev(opened + (e.at - history[0][0].at), "status", e.value) for e in events]
    met = opened + met_after * MIN
    clock = one([*base, ev(met, "target_met", "t")], target, met + dt.timedelta(days=40))
    assert clock.due_at is not None
    if met <= clock.due_at:
        assert clock.state == "met" and clock.breached_at is None
    else:
        assert clock.state == "breached" and clock.breached_at == clock.due_at
    assert clock.met_at == met


@FAST
@given(target=targets.filter(lambda t: t.amount > 0), opened=instants,
       wait_after=st.integers(0, 600), waits=st.lists(st.integers(1, 60 * 24 * 3), min_size=2,
                                                       max_size=3))
def test_a_paused_clock_is_paused_and_its_due_keeps_moving(
        target: Target, opened: dt.datetime, wait_after: int, waits: list[int]) -> None:
    events = [ev(opened, "opened", "P")]
    first = one(events, target, opened)
    assert first.due_at is not None
    pause_at = min(opened + wait_after * MIN, first.due_at)
    events.append(ev(pause_at, "status", "wait"))
    dues = []
    for w in sorted(waits):
        clock = one(events, target, pause_at + w * MIN)
        assert clock.state == "paused" or clock.due_at == pause_at
        dues.append(clock.due_at)
    assert dues == sorted(dues)


LUNCH = Calendar(SH, WeeklyHours.on(range(6), ["08:00-12:00", "14:00-24:00"]),
                 observe_holidays=True, holidays=PackageHolidays())
wide = st.integers(0, 60 * 24 * 800).map(lambda m: START + m * MIN)


@settings(max_examples=300, deadline=None)
@given(cal=st.sampled_from([CAL, LUNCH]), a=wide, length=st.integers(1, 60 * 24 * 400),
       pauses=st.lists(st.tuples(st.integers(-60 * 24 * 5, 60 * 24 * 400),
                                 st.integers(0, 60 * 24 * 10)), max_size=4))
def test_the_work_index_measures_like_the_calendar(
        cal: Calendar, a: dt.datetime, length: int, pauses: list[tuple[int, int]]) -> None:
    b = a + length * MIN
    spans = merge_pauses([(a + s * MIN, a + (s + d) * MIN) for s, d in pauses])
    expected = cal.elapsed(a, b, spans)
    assert work_index(cal).elapsed(a, b, spans) == (expected.value, expected.estimated_years)


def test_the_work_index_reports_a_year_without_holiday_data() -> None:
    got = work_index(CAL).elapsed(at(2026, 12, 31, 9), at(2027, 1, 4, 9), [])
    assert got == (dt.timedelta(hours=9 + 10 + 1), frozenset({2027}))
    assert work_index(CAL).elapsed(at(2026, 12, 30, 9), at(2027, 1, 1, 0), [])[1] == frozenset()


def test_preview_names_a_bad_pause() -> None:
    with pytest.raises(SlaError) as err:
        preview(IN_HOURS, at(2026, 11, 2, 9), CAL,
                [(dt.datetime(2026, 11, 2, 10), at(2026, 11, 2, 11))])
    assert err.value.field == "pauses"
    with pytest.raises(SlaError) as err:
        preview(IN_HOURS, dt.datetime(2026, 11, 2, 9), CAL)
    assert err.value.field == "opened"


def test_a_pause_in_the_preview_moves_every_target_it_overlaps() -> None:
    rows = dict((name, due) for name, due, _ in preview(
        [Target("respond", 1, "hours"), Target("restore", 4, "working_hours")],
        at(2026, 11, 2, 9), CAL, [(at(2026, 11, 2, 9, 30), at(2026, 11, 2, 10, 0))]))
    assert rows == {"respond": "2026-11-02T10:30:00+08:00",
                    "restore": "2026-11-02T13:30:00+08:00"}


@FAST
@given(target=targets.filter(lambda t: t.amount > 0), history=histories(),
       steps=st.lists(st.integers(0, 60 * 24 * 3), min_size=1, max_size=6))
def test_a_periodic_caller_is_warned_of_each_crossing_once(
        target: Target, history: tuple[list[TicketEvent], dt.datetime], steps: list[int]) -> None:
    events, now = history
    sent: list[str] = []
    clock = None
    for step in sorted(steps):
        clock = one(events, target, now + step * MIN)
        found = warnings([clock], CAL, previously_sent=sent)
        assert not {w.key for w in found} & set(sent)
        assert all(w.at <= now + step * MIN for w in found)
        sent += [w.key for w in found]
        assert warnings([clock], CAL, previously_sent=sent) == []
    assert len(sent) == len(set(sent))
    assert clock is not None
    if clock.state == "breached":
        assert "t:P:breach" in sent


def test_it_replays_the_clocks_as_they_were_at_a_past_instant() -> None:
    events = [ev(at(2026, 11, 2, 9, 0), "opened", "P1"),
              ev(at(2026, 11, 2, 9, 10), "target_met", "respond"),
              ev(at(2026, 11, 2, 9, 20), "priority", "P3")]
    before = clocks(events, at(2026, 11, 2, 9, 5), by_priority)
    assert before["respond"].state == "running" and before["respond"].priority == "P1"
    assert before["respond"].met_at is None
    assert clocks(events, at(2026, 11, 2, 9, 30), by_priority)["respond"].priority == "P3"
    with pytest.raises(SlaError) as err:
        clocks(events, at(2026, 11, 2, 8, 0), by_priority)
    assert err.value.field == "now"


# --- waived targets and a target's own calendar ---------------------------------------

def test_a_visit_declared_unneeded_before_its_due_is_waived() -> None:
    events = [ev(at(2026, 11, 2, 9, 0), "opened", "P2"),
              ev(at(2026, 11, 2, 9, 10), "target_met", "respond"),
              ev(at(2026, 11, 2, 9, 20), "target_waived", "on_site")]
    got = clocks(events, at(2026, 11, 5, 9, 0))
    assert got["on_site"].state == "waived"
    assert got["on_site"].breached_at is None and got["on_site"].met_at is None
    # measured only up to the waiver: 20 of 60 working minutes
    assert got["on_site"].fraction == pytest.approx(20 / 60)
    assert "on_site" not in [w.clock for w in warnings(got.values(), CAL)]
    assert "restore" in [w.clock for w in warnings(got.values(), CAL)]


def test_a_waiver_after_the_due_leaves_the_breach() -> None:
    events = [ev(at(2026, 11, 2, 9, 0), "opened", "P2"),
              ev(at(2026, 11, 2, 11, 0), "target_waived", "on_site")]
    got = clocks(events, at(2026, 11, 2, 12, 0))
    assert got["on_site"].state == "breached"
    assert got["on_site"].breached_at == at(2026, 11, 2, 10, 0)


def test_a_waiver_after_the_target_was_met_changes_nothing() -> None:
    events = [ev(at(2026, 11, 2, 9, 0), "opened", "P2"),
              ev(at(2026, 11, 2, 9, 30), "target_met", "on_site"),
              ev(at(2026, 11, 2, 9, 40), "target_waived", "on_site")]
    assert clocks(events, at(2026, 11, 2, 12, 0))["on_site"].state == "met"


def test_a_target_with_its_own_calendar_is_timed_on_it() -> None:
    always = Calendar(SH, WeeklyHours.on(range(7), ["00:00-24:00"]), observe_holidays=False)
    own = [Target("respond", 1, "working_hours", calendar=always),
           Target("restore", 1, "working_hours")]
    # Saturday night: the 7×24 target runs, the working-hours one waits for Monday 08:00
    events = [ev(at(2026, 11, 7, 22, 0), "opened", "P1")]
    got = {c.name: c for c in compute_clocks(events, lambda p, h: own, CAL, POLICY,
                                             at(2026, 11, 7, 22, 30))}
    assert got["respond"].due_at == at(2026, 11, 7, 23, 0)
    assert got["respond"].fraction == pytest.approx(0.5)
    assert got["restore"].due_at == at(2026, 11, 9, 9, 0)
    assert preview(own, at(2026, 11, 7, 22, 0), CAL)[0][1] == at(2026, 11, 7, 23, 0).isoformat()
