"""Time to threshold (careops.logic.forecast): robust to backup spikes and rotation."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from careops.logic.forecast import (
    MAX_HORIZON_S,
    Forecast,
    predict_linear_time,
    time_to_threshold,
)

NOW = 1_772_380_800_000  # 2026-03-02 00:00 China time
MIN = 60_000
DAY = 86_400_000


def ramp(level: float, per_day: float, minutes: int, step_min: int = 1,
         noise: float = 0.0, seed: int = 0) -> list[tuple[int, float]]:
    """A series ending at NOW with value ``level`` there, growing ``per_day``."""
    rng = random.Random(seed)
    return [(NOW - k * MIN, level - per_day * k / 1440 + (rng.gauss(0, noise) if noise else 0))
            for k in range(minutes, -1, -step_min)]


def add(points: list[tuple[int, float]], start_ms: int, end_ms: int, amount: float
        ) -> list[tuple[int, float]]:
    return [(t, v + amount if start_ms <= t < end_ms else v) for t, v in points]


def as_inf(seconds: float | None) -> float:
    return math.inf if seconds is None else seconds


def test_it_finds_the_crossing_of_a_clean_ramp() -> None:
    forecast = time_to_threshold(ramp(0.5, 0.01, 7 * 1440), 0.95, NOW)
    assert forecast.seconds_to_threshold == pytest.approx(45 * 86400, rel=1e-9)
    assert forecast.level == pytest.approx(0.5)
    assert forecast.slope_per_s * 86400 == pytest.approx(0.01)
    assert forecast.confidence > 0.8
    assert "theil-sen" in forecast.method


def test_it_agrees_with_predict_linear_on_a_clean_ramp() -> None:
    points = ramp(0.5, 0.01, 1440)
    assert predict_linear_time(points, 0.95, NOW) == pytest.approx(45 * 86400, rel=1e-9)


def test_predict_linear_is_ordinary_least_squares_with_the_intercept_now() -> None:
    # Three points: OLS through (-2, 0), (-1, 3), (0, 3): slope 1.5, value now 3.5.
    points = [(NOW - 2000, 0.0), (NOW - 1000, 3.0), (NOW, 3.0)]
    assert predict_linear_time(points, 5.0, NOW) == pytest.approx(1.0)
    assert predict_linear_time(points, 3.0, NOW) == 0.0
    assert predict_linear_time(points, -1.0, NOW, rising=False) is None


def test_it_is_not_fooled_by_a_backup_spike_going_on_now() -> None:
    base = ramp(0.6, 0.02, 1440, noise=0.002, seed=3)
    spiking = add(base, NOW - 50 * MIN, NOW + 1, 0.12)  # backup started 50 min ago
    quiet = time_to_threshold(base, 0.95, NOW)
    during = time_to_threshold(spiking, 0.95, NOW)
    assert during.level == pytest.approx(0.6, abs=0.01)
    assert as_inf(during.seconds_to_threshold) == pytest.approx(
        as_inf(quiet.seconds_to_threshold), rel=0.1)
    # The plain fit sees the disk 13 % fuller and climbing fast.
    plain = predict_linear_time(spiking, 0.95, NOW)
    assert plain is not None and plain < 0.5 * as_inf(quiet.seconds_to_threshold)


def test_it_starts_from_the_level_after_a_rotation() -> None:
    base = ramp(0.7, 0.02, 7 * 1440, noise=0.002, seed=4)
    rotated = add(base, NOW - 7 * DAY, NOW - 2 * DAY, 0.08)  # 8 % deleted two days ago
    forecast = time_to_threshold(rotated, 0.95, NOW)
    assert forecast.level == pytest.approx(0.7, abs=0.01)
    assert forecast.slope_per_s * 86400 == pytest.approx(0.02, rel=0.1)
    assert "2 segment(s)" in forecast.method
    # The plain fit over the week sees a disk that hardly grows.
    plain = as_inf(predict_linear_time(rotated, 0.95, NOW))
    assert plain > 2 * as_inf(forecast.seconds_to_threshold)


def test_it_says_a_flat_series_is_not_heading_for_the_threshold_with_high_confidence() -> None:
    rng = random.Random(7)
    flat = [(NOW - k * MIN, 0.5 + rng.gauss(0, 0.01)) for k in range(1440, -1, -1)]
    forecast = time_to_threshold(flat, 0.95, NOW)
    assert forecast.seconds_to_threshold is None
    assert forecast.confidence > 0.9


def test_it_says_a_falling_series_is_not_heading_for_the_threshold() -> None:
    forecast = time_to_threshold(ramp(0.5, -0.05, 1440, noise=0.002), 0.95, NOW)
    assert forecast.seconds_to_threshold is None
    assert forecast.confidence > 0.9
    assert forecast.slope_per_s < 0


def test_it_has_less_confidence_in_a_noisy_series() -> None:
    clean = time_to_threshold(ramp(0.5, 0.05, 1440, noise=0.001, seed=1), 0.95, NOW)
    noisy = time_to_threshold(ramp(0.5, 0.05, 1440, noise=0.3, seed=1), 0.95, NOW)
    assert clean.seconds_to_threshold is not None
    assert noisy.confidence < 0.5 < clean.confidence


def test_it_says_zero_when_the_level_is_already_past() -> None:
    forecast = time_to_threshold(ramp(0.97, 0.01, 600, noise=0.001), 0.95, NOW)
    assert forecast.seconds_to_threshold == 0.0
    assert forecast.confidence > 0.9


def test_it_forecasts_a_falling_series_down_to_a_floor() -> None:
    # Free bytes: 100 GB now, losing 10 GB a day, alert at 20 GB.
    gb = 1e9
    points = [(t, v * gb) for t, v in ramp(100, -10, 1440, noise=0.2, seed=2)]
    forecast = time_to_threshold(points, 20 * gb, NOW, rising=False)
    assert as_inf(forecast.seconds_to_threshold) == pytest.approx(8 * 86400, rel=0.05)
    assert forecast.slope_per_s * 86400 == pytest.approx(-10 * gb, rel=0.05)
    assert forecast.level == pytest.approx(100 * gb, rel=0.01)


def test_it_answers_with_too_few_points() -> None:
    assert time_to_threshold([], 1.0, NOW) == Forecast(None, 0.0, 0.0, 0.0, "too few points (0)")
    few = time_to_threshold([(NOW - 1000, 2.0), (NOW, 3.0)], 1.0, NOW)
    assert few.seconds_to_threshold == 0.0 and few.confidence == 0.0


def test_it_ignores_points_after_now_and_non_finite_values() -> None:
    points = ramp(0.5, 0.01, 1440)
    noisy = [*points, (NOW - 30 * MIN + 1, math.nan), (NOW + MIN, 0.99), (NOW - 1, math.inf)]
    assert time_to_threshold(noisy, 0.95, NOW) == time_to_threshold(points, 0.95, NOW)


def test_it_refuses_a_threshold_that_is_not_a_number() -> None:
    with pytest.raises(ValueError, match="threshold"):
        time_to_threshold(ramp(0.5, 0.01, 60), math.nan, NOW)
    with pytest.raises(ValueError, match="threshold"):
        predict_linear_time(ramp(0.5, 0.01, 60), math.inf, NOW)


# Properties --------------------------------------------------------------------------

levels = st.floats(min_value=0.05, max_value=0.9)
rates = st.floats(min_value=0.002, max_value=0.2)  # per day
spans = st.integers(min_value=120, max_value=7 * 1440)  # minutes
steps = st.sampled_from([1, 2, 5, 15])


@settings(max_examples=60, deadline=None)
@given(level=levels, per_day=rates, minutes=spans, step=steps,
       headroom=st.floats(min_value=0.01, max_value=0.5))
def test_property_a_clean_ramp_gives_the_exact_crossing(
        level: float, per_day: float, minutes: int, step: int, headroom: float) -> None:
    threshold = level + headroom
    expected = headroom / per_day * 86400
    assume(expected <= MAX_HORIZON_S)
    forecast = time_to_threshold(ramp(level, per_day, minutes, step), threshold, NOW)
    assert forecast.seconds_to_threshold == pytest.approx(expected, rel=1e-6)


@settings(max_examples=40, deadline=None)
@given(level=st.floats(min_value=0.3, max_value=0.7), per_day=st.floats(0.005, 0.05),
       seed=st.integers(0, 10_000), nights=st.integers(1, 7),
       height=st.floats(0.05, 0.15), duration=st.integers(30, 90),
       start=st.integers(60, 180), window_days=st.sampled_from([1, 7]))
def test_property_backup_spikes_change_the_estimate_little(
        level: float, per_day: float, seed: int, nights: int, height: float, duration: int,
        start: int, window_days: int) -> None:
    base = ramp(level, per_day, window_days * 1440, noise=0.002, seed=seed)
    spiked = base
    # Nightly backups, the last one ended at least 3 hours before now.
    for night in range(min(nights, window_days)):
        begin = NOW - (night + 1) * DAY + start * MIN - 4 * 3600_000
        spiked = add(spiked, begin, begin + duration * MIN, height)
    clean = time_to_threshold(base, 0.95, NOW)
    with_spikes = time_to_threshold(spiked, 0.95, NOW)
    assert with_spikes.slope_per_s == pytest.approx(clean.slope_per_s, rel=0.1, abs=2e-9)
    assert with_spikes.level == pytest.approx(clean.level, abs=0.005)


@settings(max_examples=40, deadline=None)
@given(level=st.floats(min_value=0.3, max_value=0.7), per_day=st.floats(0.005, 0.1),
       at_fraction=st.floats(0.1, 0.9), drop=st.floats(0.02, 0.2),
       window_days=st.sampled_from([1, 3, 7]), step=steps)
def test_property_a_drop_followed_by_the_same_slope_gives_the_same_slope(
        level: float, per_day: float, at_fraction: float, drop: float, window_days: int,
        step: int) -> None:
    minutes = window_days * 1440
    base = ramp(level, per_day, minutes, step)
    drop_at = NOW - int(at_fraction * minutes) * MIN
    rotated = add(base, NOW - minutes * MIN, drop_at, drop)  # higher before the drop
    before = time_to_threshold(base, 0.95, NOW)
    after = time_to_threshold(rotated, 0.95, NOW)
    assert after.slope_per_s == pytest.approx(before.slope_per_s, rel=1e-6)
    assert after.level == pytest.approx(before.level, abs=1e-9)


points_strategy = st.lists(
    st.tuples(st.integers(min_value=0, max_value=10 * DAY),
              st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)),
    min_size=0, max_size=300)


@settings(max_examples=80, deadline=None)
@given(points=points_strategy, low=st.floats(-2e6, 2e6), extra=st.floats(0, 2e6),
       rising=st.booleans())
def test_property_monotone_in_the_threshold(
        points: list[tuple[int, float]], low: float, extra: float, rising: bool) -> None:
    near, far = (low, low + extra) if rising else (low + extra, low)
    first = time_to_threshold(points, near, 10 * DAY, rising=rising)
    second = time_to_threshold(points, far, 10 * DAY, rising=rising)
    assert as_inf(first.seconds_to_threshold) <= as_inf(second.seconds_to_threshold)


@settings(max_examples=80, deadline=None)
@given(points=points_strategy, threshold=st.floats(-2e6, 2e6), rising=st.booleans())
def test_property_never_negative_and_confidence_in_range(
        points: list[tuple[int, float]], threshold: float, rising: bool) -> None:
    forecast = time_to_threshold(points, threshold, 10 * DAY, rising=rising)
    assert forecast.seconds_to_threshold is None or forecast.seconds_to_threshold >= 0
    assert 0.0 <= forecast.confidence <= 1.0
    assert math.isfinite(forecast.level) and math.isfinite(forecast.slope_per_s)
    plain = predict_linear_time(points, threshold, 10 * DAY, rising=rising)
    assert plain is None or plain >= 0


@settings(max_examples=60, deadline=None)
@given(points=points_strategy, threshold=st.floats(-2e6, 2e6),
       shift=st.integers(min_value=-10**12, max_value=10**12))
def test_property_invariant_to_a_time_shift(
        points: list[tuple[int, float]], threshold: float, shift: int) -> None:
    moved = [(t + shift, v) for t, v in points]
    assert (time_to_threshold(moved, threshold, 10 * DAY + shift)
            == time_to_threshold(points, threshold, 10 * DAY))
