"""The pure state machine of alert rules (careops/logic/rules.py)."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careops.logic.rules import (
    FIRING,
    RESOLVED,
    Observation,
    advance,
    compare,
    format_duration_s,
    format_value,
    render_summary,
    replay,
)

MIN = 60_000


def obs(value: float = 1.0, **labels: str) -> Observation:
    return Observation(labels or {"host": "a"}, value)


def test_it_goes_pending_then_firing_after_the_for_duration() -> None:
    states, alerts = advance({}, {"fp": obs(95)}, 0, 5 * MIN)
    assert alerts == [] and states["fp"].pending_since_ms == 0
    states, alerts = advance(states, {"fp": obs(96)}, 4 * MIN, 5 * MIN)
    assert alerts == []
    states, alerts = advance(states, {"fp": obs(97)}, 5 * MIN, 5 * MIN)
    [alert] = alerts
    assert (alert.status, alert.starts_at_ms, alert.value, alert.new) == (FIRING, 0, 97, True)
    states, alerts = advance(states, {"fp": obs(98)}, 6 * MIN, 5 * MIN)
    assert [(a.status, a.new, a.starts_at_ms) for a in alerts] == [(FIRING, False, 0)]
    states, alerts = advance(states, {}, 7 * MIN, 5 * MIN)
    [alert] = alerts
    assert (alert.status, alert.starts_at_ms, alert.ends_at_ms, alert.value) == (
        RESOLVED, 0, 7 * MIN, 98)
    assert states == {}


def test_it_drops_a_pending_series_silently() -> None:
    states, _ = advance({}, {"fp": obs()}, 0, 5 * MIN)
    states, alerts = advance(states, {}, MIN, 5 * MIN)
    assert states == {} and alerts == []
    states, alerts = advance(states, {"fp": obs()}, 2 * MIN, 5 * MIN)
    assert states["fp"].pending_since_ms == 2 * MIN  # the clock starts again


def test_it_fires_at_once_without_a_for_duration() -> None:
    _, alerts = advance({}, {"fp": obs()}, 0, 0)
    assert [(a.status, a.new) for a in alerts] == [(FIRING, True)]


def test_it_compares_without_matching_nan() -> None:
    assert compare(91, ">", 90) and not compare(90, ">", 90) and compare(90, ">=", 90)
    assert compare(1, "<", 2) and compare(2, "<=", 2) and not compare(3, "<=", 2)
    assert not any(compare(math.nan, op, 0) for op in (">", ">=", "<", "<="))
    with pytest.raises(ValueError):
        compare(1, "==", 1)


def test_it_replays_intervals_with_their_peak() -> None:
    values = [50, 95, 96, 99, 97, 50, 50, 92, 93, 94]
    frames = [(i * MIN, {"fp": obs(v)} if v > 90 else {}) for i, v in enumerate(values)]
    got = replay(frames, for_ms=2 * MIN)
    assert [(i.start_ms, i.end_ms, i.peak) for i in got] == [
        (1 * MIN, 5 * MIN, 99), (7 * MIN, None, 94)]
    low = replay([(0, {"fp": obs(5)}), (MIN, {"fp": obs(3)}), (2 * MIN, {})], 0,
                 higher_is_worse=False)
    assert [(i.start_ms, i.end_ms, i.peak) for i in low] == [(0, 2 * MIN, 3)]


def test_it_renders_summaries() -> None:
    text = render_summary("{item}: disk {labels[mountpoint]} at {value}% ({labels[nope]}) "
                          "full in {duration} {other}",
                          value=93.456, item="HIS-DB-01", labels={"mountpoint": "/data"})
    assert text == "HIS-DB-01: disk /data at 93.46% () full in 1m 33s {other}"
    assert render_summary("{duration}", value=3 * 86400 + 4 * 3600 + 59, item="",
                          labels={}) == "3d 4h"
    assert format_value(1.0) == "1" and format_value(123456.789) == "123456.8"
    assert format_value(0.000123) == "0.000123" and format_duration_s(0) == "0s"
    # no attribute access or format specs: a template cannot read anything else
    assert render_summary("{value.__class__}{labels.__dict__}", value=1, item="",
                          labels={}) == "{value.__class__}{labels.__dict__}"


# --- properties ---------------------------------------------------------------------------

frames_strategy = st.lists(st.sets(st.sampled_from(["a", "b", "c"])), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(frames_strategy, st.integers(min_value=0, max_value=6))
def test_it_fires_exactly_when_a_condition_held_for_the_duration(
        frames: list[set[str]], for_steps: int) -> None:
    states: dict = {}
    for_ms = for_steps * MIN
    for i, present in enumerate(frames):
        now = i * MIN
        before = dict(states)
        states, alerts = advance(states, {fp: obs() for fp in present}, now, for_ms)
        firing = {a.fingerprint for a in alerts if a.status == FIRING}
        resolved = {a.fingerprint for a in alerts if a.status == RESOLVED}
        for fp in "abc":
            run = 0  # how many evaluations in a row up to now the condition held
            while run <= i and fp in frames[i - run]:
                run += 1
            held_ms = (run - 1) * MIN if run else -1
            assert (fp in firing) == (run > 0 and held_ms >= for_ms)
            was_firing = fp in before and before[fp].firing_since_ms is not None
            assert (fp in resolved) == (was_firing and fp not in present)
        for a in alerts:
            if a.status == FIRING:
                assert now - a.starts_at_ms >= for_ms


@settings(max_examples=200, deadline=None)
@given(frames_strategy, st.integers(min_value=0, max_value=6))
def test_it_replays_intervals_that_never_overlap_per_series(
        frames: list[set[str]], for_steps: int) -> None:
    got = replay([(i * MIN, {fp: obs(float(i)) for fp in present})
                  for i, present in enumerate(frames)], for_steps * MIN)
    by_fp: dict[str, list] = {}
    for interval in got:
        by_fp.setdefault(interval.fingerprint, []).append(interval)
    for intervals in by_fp.values():
        for one, two in itertools.pairwise(intervals):
            assert one.end_ms is not None and one.end_ms <= two.start_ms
    assert sum(1 for i in got if i.end_ms is None) <= 3
