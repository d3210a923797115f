"""Anomaly against a seasonal baseline by hour of week, with robust statistics. Pure.

Hospital load follows the week: clinics are busy Monday to Friday 8-17 China time, nights
and weekends are quiet. A value is compared with the history of the same hour of the week
(in local time, Monday 00:00-01:00 = 0 … Sunday 23:00-24:00 = 167):

- **expected** is the median of that hour's history;
- **scale** is 1.4826 × the median absolute deviation (the standard deviation for normal
  data, untouched by a few outliers), with a floor — the largest of 1 % of
  ``|median|``, 5 % of the whole history's scale and a tiny absolute value — so that a
  series that is constant at that hour does not make every change infinitely
  surprising;
- a bucket with fewer than :data:`MIN_BUCKET_SAMPLES` values is pooled with its
  neighbouring hours (±1, then ±2);
- **score** = (value - expected) / scale (a robust z), anomalous when
  ``|score| > sensitivity``; the band is expected ± sensitivity × scale.

Nothing is anomalous (score 0) until the hour of week has values from ``min_weeks``
different weeks. Holidays are not modelled: a holiday looks like a quiet day, which a
high sensitivity tolerates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

HOURS_PER_WEEK = 168
# The Unix epoch, 1970-01-01 00:00, was a Thursday: 3 days after a Monday 00:00.
_EPOCH_HOUR_OF_WEEK = 72
MIN_BUCKET_SAMPLES = 6
_MAD_TO_SIGMA = 1.4826
_REL_FLOOR = 0.01  # of |median|
_GLOBAL_FLOOR = 0.05  # of the whole history's scale
_ABS_FLOOR = 1e-9


@dataclass(frozen=True)
class Anomaly:
    anomalous: bool
    score: float  # robust z: (value - median) / (1.4826 * MAD), of that hour of week
    expected: float  # the baseline median for that hour of week
    low: float
    high: float  # band = expected ± sensitivity * scale
    samples: int  # history values in that hour-of-week bucket


def hour_of_week(t_ms: int, tz_offset_s: int = 28800) -> int:
    """0..167, Monday 00:00 local time = 0."""
    local_hours = (t_ms // 1000 + tz_offset_s) // 3600
    return int((local_hours + _EPOCH_HOUR_OF_WEEK) % HOURS_PER_WEEK)


def _scale(values: list[float], centre: float) -> float:
    return _MAD_TO_SIGMA * median(abs(v - centre) for v in values)


def _buckets(history: Sequence[tuple[int, float]], tz_offset_s: int
             ) -> tuple[dict[int, list[float]], dict[int, set[int]]]:
    values: dict[int, list[float]] = {}
    weeks: dict[int, set[int]] = {}
    for t, v in history:
        if not math.isfinite(v):
            continue
        week, how = divmod((t // 1000 + tz_offset_s) // 3600 + _EPOCH_HOUR_OF_WEEK,
                           HOURS_PER_WEEK)
        bucket = values.get(how)
        if bucket is None:
            values[how] = [float(v)]
            weeks[how] = {week}
        else:
            bucket.append(float(v))
            weeks[how].add(week)
    return values, weeks


def _pooled(values: dict[int, list[float]], how: int) -> tuple[list[float], list[int]]:
    """The bucket's values, with its neighbours' while it is thin; and the hours used."""
    pooled = list(values.get(how, []))
    hours = [how]
    for distance in (1, 2):
        if len(pooled) >= MIN_BUCKET_SAMPLES:
            break
        for neighbour in ((how - distance) % HOURS_PER_WEEK, (how + distance) % HOURS_PER_WEEK):
            pooled.extend(values.get(neighbour, []))
            hours.append(neighbour)
    return pooled, hours


def _global_scale(values: dict[int, list[float]]) -> float:
    everything = [v for bucket in values.values() for v in bucket]
    if not everything:
        return 0.0
    return _scale(everything, median(everything))


def _floored(scale: float, centre: float, global_scale: float) -> float:
    return max(scale, _REL_FLOOR * abs(centre), _GLOBAL_FLOOR * global_scale, _ABS_FLOOR)


def baseline(history: Sequence[tuple[int, float]], *, tz_offset_s: int = 28800
             ) -> dict[int, tuple[float, float, int]]:
    """Hour of week (0..167, Monday 00:00 local = 0) -> (median, scale, n) for every hour
    that has values (pooled with its neighbours while thin; n counts the hour's own)."""
    values, _ = _buckets(history, tz_offset_s)
    global_scale = _global_scale(values)
    out: dict[int, tuple[float, float, int]] = {}
    for how in sorted(values):
        pooled, _ = _pooled(values, how)
        centre = median(pooled)
        out[how] = (centre, _floored(_scale(pooled, centre), centre, global_scale),
                    len(values[how]))
    return out


def detect(history: Sequence[tuple[int, float]], value: float, at_ms: int, *,
           tz_offset_s: int = 28800, sensitivity: float = 4.0, min_weeks: int = 2) -> Anomaly:
    """Is ``value`` at ``at_ms`` out of line with the history of its hour of week?

    History points at or after ``at_ms`` are left out (the value is not its own baseline).
    """
    if not math.isfinite(sensitivity) or sensitivity <= 0:
        raise ValueError("sensitivity: must be a positive number")
    if min_weeks < 1:
        raise ValueError("min_weeks: must be at least 1")
    past = [(t, v) for t, v in history if t < at_ms]
    values, weeks = _buckets(past, tz_offset_s)
    how = hour_of_week(at_ms, tz_offset_s)
    pooled, hours = _pooled(values, how)
    own = len(values.get(how, []))
    if not pooled:
        return Anomaly(False, 0.0, value, value, value, 0)
    centre = median(pooled)
    scale = _floored(_scale(pooled, centre), centre, _global_scale(values))
    low, high = centre - sensitivity * scale, centre + sensitivity * scale
    seen_weeks: set[int] = set()
    for hour in hours:
        seen_weeks |= weeks.get(hour, set())
    if len(seen_weeks) < min_weeks or not math.isfinite(value):
        return Anomaly(False, 0.0, centre, low, high, own)
    score = (value - centre) / scale
    return Anomaly(abs(score) > sensitivity, score, centre, low, high, own)
