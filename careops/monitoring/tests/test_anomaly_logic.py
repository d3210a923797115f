"""Anomaly against the weekly baseline (careops.logic.anomaly)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careops.logic.anomaly import Anomaly, baseline, detect, hour_of_week

MONDAY = 1_772_380_800_000  # 2026-03-02 00:00 China time, a Monday
HOUR = 3_600_000
WEEK = 168 * HOUR
STEP = 5 * 60_000


def clinic_load(t_ms: int, rng: random.Random) -> float:
    """Busy Monday to Friday 8-17 China time, quiet otherwise, ±10 % uniform noise."""
    how = hour_of_week(t_ms)
    day, hour = divmod(how, 24)
    busy = day < 5 and 8 <= hour < 17
    return (800.0 if busy else 100.0) * (1 + rng.uniform(-0.1, 0.1))


def weeks_of_load(weeks: int, seed: int = 1) -> list[tuple[int, float]]:
    rng = random.Random(seed)
    return [(t, clinic_load(t, rng)) for t in range(MONDAY, MONDAY + weeks * WEEK, STEP)]


def test_it_numbers_the_hours_of_the_week_in_china_time() -> None:
    assert hour_of_week(MONDAY) == 0
    assert hour_of_week(MONDAY - 1) == 167  # Sunday 23:59:59.999
    assert hour_of_week(MONDAY + 9 * HOUR + 30 * 60_000) == 9
    assert hour_of_week(MONDAY, tz_offset_s=0) == 168 - 8  # Sunday 16:00 UTC
    assert hour_of_week(0, tz_offset_s=0) == 72  # the epoch was a Thursday


def test_it_does_not_alarm_on_the_weekly_pattern() -> None:
    history = weeks_of_load(4)
    rng = random.Random(99)
    start = MONDAY + 4 * WEEK
    alarms = [t for t in range(start, start + WEEK, 4 * STEP)
              if detect(history, clinic_load(t, rng), t).anomalous]
    assert alarms == []


def test_it_alarms_on_a_spike_at_three_in_the_morning() -> None:
    history = weeks_of_load(3)
    tuesday_3am = MONDAY + 3 * WEEK + 24 * HOUR + 3 * HOUR
    result = detect(history, 600.0, tuesday_3am)
    assert result.anomalous
    assert result.expected == pytest.approx(100, rel=0.05)
    assert result.score > 4
    assert result.low < result.expected < result.high < 600
    assert result.samples == 36  # 12 five-minute values an hour, 3 weeks
    # The same value at 10 in the morning is an ordinary Tuesday.
    assert detect(history, 700.0, tuesday_3am + 7 * HOUR).anomalous is False


def test_it_alarms_on_a_quiet_weekday_morning() -> None:
    history = weeks_of_load(3)
    wednesday_10am = MONDAY + 3 * WEEK + 2 * 24 * HOUR + 10 * HOUR
    result = detect(history, 90.0, wednesday_10am)
    assert result.anomalous and result.score < -4


def test_it_waits_for_min_weeks_of_history() -> None:
    history = weeks_of_load(1)
    at = MONDAY + WEEK + 3 * HOUR
    result = detect(history, 10_000.0, at)
    assert result == Anomaly(False, 0.0, result.expected, result.low, result.high, 12)
    assert result.expected == pytest.approx(100, rel=0.1)
    assert detect(history, 10_000.0, at, min_weeks=1).anomalous


def test_it_does_not_make_every_change_of_a_constant_series_infinite() -> None:
    history = [(t, 50.0) for t in range(MONDAY, MONDAY + 3 * WEEK, HOUR)]
    at = MONDAY + 3 * WEEK + 5 * HOUR
    small = detect(history, 50.4, at)
    assert not small.anomalous and 0 < small.score < 4
    assert detect(history, 60.0, at).anomalous


def test_it_pools_thin_hours_with_their_neighbours() -> None:
    # Hourly values for 3 weeks: 3 per hour of week, pooled to 9 with the hours around.
    rng = random.Random(5)
    history = [(t, 100 + rng.uniform(-5, 5)) for t in range(MONDAY, MONDAY + 3 * WEEK, HOUR)]
    result = detect(history, 100.0, MONDAY + 3 * WEEK + 40 * HOUR)
    assert result.samples == 3
    assert result.high - result.low > 4 * 4  # a band from 9 values, not a sliver from 3
    table = baseline(history)
    assert sorted(table) == list(range(168))
    assert all(n == 3 for _, _, n in table.values())


def test_it_leaves_out_history_at_or_after_the_instant() -> None:
    history = weeks_of_load(3)
    at = MONDAY + 2 * WEEK + 3 * HOUR
    with_future = [*history, (at, 5000.0), (at + HOUR, 5000.0)]
    assert detect(with_future, 700.0, at) == detect(history[: history.index(
        next(p for p in history if p[0] >= at))], 700.0, at)


def test_it_refuses_a_sensitivity_that_is_not_positive() -> None:
    with pytest.raises(ValueError, match="sensitivity"):
        detect([], 1.0, MONDAY, sensitivity=0)
    with pytest.raises(ValueError, match="min_weeks"):
        detect([], 1.0, MONDAY, min_weeks=0)


def test_it_answers_without_history() -> None:
    assert detect([], 7.0, MONDAY) == Anomaly(False, 0.0, 7.0, 7.0, 7.0, 0)


history_strategy = st.lists(
    st.tuples(st.integers(min_value=MONDAY - 5 * WEEK, max_value=MONDAY),
              st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)),
    max_size=400)


@settings(max_examples=80, deadline=None)
@given(history=history_strategy, value=st.floats(-2e6, 2e6), more=st.floats(0, 1e6),
       sensitivity=st.floats(0.5, 10))
def test_property_the_score_grows_with_the_value_and_the_band_decides(
        history: list[tuple[int, float]], value: float, more: float, sensitivity: float) -> None:
    at = MONDAY + HOUR
    first = detect(history, value, at, sensitivity=sensitivity)
    second = detect(history, value + more, at, sensitivity=sensitivity)
    assert second.score >= first.score
    assert first.low <= first.expected <= first.high
    if first.low <= value <= first.high:
        assert not first.anomalous
    if first.anomalous:
        assert abs(first.score) > sensitivity


@settings(max_examples=40, deadline=None)
@given(history=history_strategy, shift_weeks=st.integers(-100, 100))
def test_property_whole_weeks_of_shift_change_nothing(
        history: list[tuple[int, float]], shift_weeks: int) -> None:
    moved = [(t + shift_weeks * WEEK, v) for t, v in history]
    assert baseline(moved) == baseline(history)
