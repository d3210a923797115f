"""Time until a series crosses a threshold, robust to backup spikes and log rotation. Pure.

A plain least-squares line through the window (what Prometheus ``predict_linear`` does,
:func:`predict_linear_time` here) swings with every nightly backup that lifts disk usage
for an hour and with every log rotation that drops it: "disk full within 7 days" then
fires and clears again night after night. :func:`time_to_threshold` fits the underlying
level instead (docs/monitoring-forecast.md):

1. **Downsample** to at most :data:`MAX_BUCKETS` buckets of equal width, anchored at
   ``now`` (the median time and the median value of each bucket): 7 days of one-minute
   points become 200 buckets of about 50 minutes, and a spike shorter than half a bucket
   is gone already.
2. **Level shifts.** The series, less a rough trend (the median slope of consecutive
   buckets), is smoothed by a running median over ±:data:`MEDIAN_HALF_WIDTH_S`. A
   running median keeps steps sharp and ignores excursions shorter than its half window.
   A step larger than :data:`SHIFT_SIGMAS` times the noise (the scaled median absolute
   difference of consecutive buckets) is a level shift. A rise that comes back down
   within :data:`SPIKE_MAX_S` is a spike (its buckets are left out); a rise still
   younger than that is treated as a spike until it has lasted so long; every other
   drop (log rotation, clean-up) and lasting rise starts a new segment.
3. **Robust slope**: Theil–Sen (the median of pairwise slopes) over the pairs of
   buckets that lie in the same segment, so a rotation does not bend the slope. Buckets
   that sit more than :data:`OUTLIER_SIGMAS` robust deviations off the fitted line
   (short spikes the running median let through) are dropped and the slope refitted.
4. **Level** now: the median over the current segment of each bucket's value carried
   to ``now`` along the slope.
5. **Crossing** ``(threshold - level) / slope`` seconds ahead; ``None`` when the slope
   does not head for the threshold or the crossing is beyond :data:`MAX_HORIZON_S`;
   ``0.0`` when the level is already past it.

**Confidence** (0..1) is the probability that the statement is right under a normal
approximation of the slope's uncertainty, times penalties for few points, a short
current segment and extrapolating far beyond the data. The slope's standard error is
the larger of Sen's rank-based interval (Sen 1968; Gilbert 1987, §16.5) and the
disagreement of the slopes fitted on four consecutive sub-windows. For a crossing time:
the probability that the slope is within ±50 % of its estimate (so the time within
×0.67..×2). For ``None``: the probability that the crossing is not within
:data:`CONFIDENCE_HORIZON_S` (30 days). For ``0.0``: that the level is past the threshold.

With ``rising=False`` the series is mirrored (free bytes falling to a floor): spikes and
shifts are then read in the mirrored direction, and ``slope_per_s``/``level`` are
reported in the series' own units and sign.

Points after ``now_ms`` and non-finite values are ignored. Everything is measured
relative to ``now_ms``, so shifting all times and ``now_ms`` by the same amount gives the
same result. 10,000 points take a few tens of milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

MAX_BUCKETS = 200
MIN_POINTS = 3
MEDIAN_HALF_WIDTH_S = 2 * 3600.0
SPIKE_MAX_S = 6 * 3600.0
SHIFT_SIGMAS = 4.0
OUTLIER_SIGMAS = 5.0
SUBWINDOWS = 4
MAX_HORIZON_S = 10 * 365 * 86400.0
CONFIDENCE_HORIZON_S = 30 * 86400.0
# Relative size below which a difference is floating-point noise, not signal.
_REL_FLOOR = 1e-9
_MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class Forecast:
    seconds_to_threshold: float | None  # None: not heading for it in any sensible time;
    # 0.0: already past
    confidence: float  # 0..1
    slope_per_s: float  # robust trend of the underlying level
    level: float  # robust current level
    method: str  # short description of what was fitted


def _phi(z: float) -> float:
    """The standard normal distribution function (z may be ±inf)."""
    if math.isinf(z):
        return 1.0 if z > 0 else 0.0
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def _clean(points: Sequence[tuple[int, float]], now_ms: int, sign: float
           ) -> list[tuple[int, float]]:
    kept = [(int(t), sign * float(v)) for t, v in points
            if t <= now_ms and math.isfinite(v)]
    kept.sort()
    return kept


def _downsample(points: list[tuple[int, float]], now_ms: int
                ) -> tuple[list[float], list[float], float]:
    """Bucket medians: times in seconds relative to now (<= 0), values, bucket width (s)."""
    if len(points) <= MAX_BUCKETS:
        return [(t - now_ms) / 1000.0 for t, _ in points], [v for _, v in points], 0.0
    span_ms = now_ms - points[0][0]
    width_ms = max(1, -(-span_ms // MAX_BUCKETS))
    xs: list[float] = []
    vs: list[float] = []
    current = -1
    bucket_t: list[int] = []
    bucket_v: list[float] = []
    # Oldest first: bucket numbers count down towards now.
    for t, v in points:
        number = (now_ms - t) // width_ms
        if number != current and bucket_t:
            xs.append((median(bucket_t) - now_ms) / 1000.0)
            vs.append(median(bucket_v))
            bucket_t, bucket_v = [], []
        current = number
        bucket_t.append(t)
        bucket_v.append(v)
    if bucket_t:
        xs.append((median(bucket_t) - now_ms) / 1000.0)
        vs.append(median(bucket_v))
    return xs, vs, width_ms / 1000.0


def _running_median(xs: list[float], ys: list[float], half_width: float) -> list[float]:
    out: list[float] = []
    lo = hi = 0
    n = len(xs)
    for i in range(n):
        while xs[lo] < xs[i] - half_width:
            lo += 1
        while hi < n and xs[hi] <= xs[i] + half_width:
            hi += 1
        out.append(median(ys[lo:hi]))
    return out


def _theil_sen(xs: list[float], ys: list[float], segments: list[int], keep: list[bool]
               ) -> tuple[float | None, list[float]]:
    """Median slope over the pairs of kept points in the same segment, and the sorted
    pair slopes (for the confidence interval)."""
    slopes: list[float] = []
    n = len(xs)
    for i in range(n):
        if not keep[i]:
            continue
        xi, yi, si = xs[i], ys[i], segments[i]
        for j in range(i + 1, n):
            if segments[j] != si:
                break
            if keep[j]:
                dx = xs[j] - xi
                if dx > 0:
                    slopes.append((ys[j] - yi) / dx)
    if not slopes:
        return None, slopes
    slopes.sort()
    m = len(slopes)
    mid = m // 2
    value = slopes[mid] if m % 2 else (slopes[mid - 1] + slopes[mid]) / 2.0
    return value, slopes


def _sen_standard_error(sorted_slopes: list[float], n_points: int) -> float:
    """Half the width of Sen's 95 % interval over 1.96: a standard error of the slope."""
    m = len(sorted_slopes)
    if m < 3 or n_points < 3:
        return math.inf
    all_pairs = n_points * (n_points - 1) / 2.0
    c = 1.96 * math.sqrt(n_points * (n_points - 1) * (2 * n_points + 5) / 18.0)
    c *= m / all_pairs  # pairs within segments only: scale the rank distance
    lower = int(max(0.0, math.floor((m - c) / 2.0)))
    upper = int(min(m - 1.0, math.ceil((m + c) / 2.0)))
    return (sorted_slopes[upper] - sorted_slopes[lower]) / (2.0 * 1.96)


@dataclass
class _Steps:
    boundaries: list[int]  # a new segment starts at these bucket indexes
    spike: list[bool]  # buckets inside a spike


def _level_shifts(xs: list[float], vs: list[float], noise: float, floor: float) -> _Steps:
    n = len(xs)
    spike = [False] * n
    if n < 4:
        return _Steps([], spike)
    rough = median([(vs[i + 1] - vs[i]) / (xs[i + 1] - xs[i]) for i in range(n - 1)
                    if xs[i + 1] > xs[i]] or [0.0])
    detrended = [v - rough * x for x, v in zip(xs, vs, strict=True)]
    smooth = _running_median(xs, detrended, MEDIAN_HALF_WIDTH_S)
    tau = max(SHIFT_SIGMAS * noise, floor)
    # Runs of same-signed moves of the running median, summed: one step each.
    steps: list[tuple[int, float]] = []  # (first index after the step, size)
    i = 0
    while i < n - 1:
        d = smooth[i + 1] - smooth[i]
        if abs(d) <= tau / 2.0:
            i += 1
            continue
        j, total, best, best_i = i, 0.0, 0.0, i
        while j < n - 1:
            dj = smooth[j + 1] - smooth[j]
            if abs(dj) <= tau / 2.0 or (dj > 0) != (d > 0):
                break
            total += dj
            if abs(dj) > abs(best):
                best, best_i = dj, j
            j += 1
        if abs(total) > tau:
            # Where the raw series moves most in that direction, near the median's move.
            lo, hi = max(0, best_i - 2), min(n - 2, best_i + 2)
            direction = 1.0 if d > 0 else -1.0
            moves = [(detrended[k + 1] - detrended[k]) * direction for k in range(lo, hi + 1)]
            at = lo + moves.index(max(moves))
            steps.append((at + 1, total))
        i = j
    boundaries: list[int] = []
    open_rises: list[tuple[int, float]] = []
    for at, size in steps:
        if size > 0:
            open_rises.append((at, size))
            continue
        # A drop: the end of a recent rise (a spike), or a rotation / clean-up.
        while open_rises and xs[at] - xs[open_rises[0][0]] > SPIKE_MAX_S:
            boundaries.append(open_rises.pop(0)[0])  # a rise that lasted
        if open_rises:
            start, rise = open_rises.pop()
            for k in range(start, at):
                spike[k] = True
            if abs(rise + size) > max(0.5 * max(rise, -size), tau):
                boundaries.append(at)  # came back to a different level
        else:
            boundaries.append(at)
    now_x = xs[-1] if xs else 0.0
    for start, _ in open_rises:
        if now_x - xs[start] > SPIKE_MAX_S:
            boundaries.append(start)
        else:  # not back yet: a spike until it has lasted SPIKE_MAX_S
            for k in range(start, n):
                spike[k] = True
    return _Steps(sorted(set(boundaries)), spike)


def _segments(n: int, boundaries: list[int]) -> list[int]:
    out = []
    seg = 0
    bset = set(boundaries)
    for i in range(n):
        if i in bset:
            seg += 1
        out.append(seg)
    return out


def time_to_threshold(points: Sequence[tuple[int, float]], threshold: float, now_ms: int, *,
                      rising: bool = True) -> Forecast:
    """Seconds from ``now_ms`` until the underlying level of ``points`` (``(t_ms, value)``)
    reaches ``threshold`` (from below when ``rising``, from above otherwise)."""
    if not math.isfinite(threshold):
        raise ValueError("threshold: must be a finite number")
    sign = 1.0 if rising else -1.0
    thr = sign * threshold
    pts = _clean(points, now_ms, sign)
    if len(pts) < MIN_POINTS:
        level = sign * pts[-1][1] if pts else 0.0
        past = bool(pts) and pts[-1][1] >= thr
        return Forecast(0.0 if past else None, 0.0, 0.0, level,
                        f"too few points ({len(pts)})")
    xs, vs, width = _downsample(pts, now_ms)
    n = len(xs)
    magnitude = max(abs(v) for v in vs)
    floor = max(_REL_FLOOR * magnitude, 1e-12)
    diffs = [abs(vs[i + 1] - vs[i]) for i in range(n - 1)]
    # Noise of one bucket from consecutive differences (the trend's share is small).
    noise = max(_MAD_TO_SIGMA * median(diffs) / math.sqrt(2.0), floor) if diffs else floor
    steps = _level_shifts(xs, vs, noise, floor)
    segments = _segments(n, steps.boundaries)
    keep = [not s for s in steps.spike]
    if sum(keep) < 2:
        keep = [True] * n
    slope, pair_slopes = _theil_sen(xs, vs, segments, keep)
    if slope is None:  # every segment a single point: no pair to fit
        keep = [True] * n
        segments = [0] * n
        slope, pair_slopes = _theil_sen(xs, vs, segments, keep)
    if slope is None:  # all at one instant
        slope = 0.0
    # Drop what lies far off the line (short spikes the running median let through).
    residuals = _residuals(xs, vs, segments, keep, slope)
    kept_res = [residuals[i] for i in range(n) if keep[i]]
    centre = median(kept_res)
    spread = max(_MAD_TO_SIGMA * median(abs(r - centre) for r in kept_res), noise / 2.0,
                 floor)
    outliers = [keep[i] and abs(residuals[i] - centre) > OUTLIER_SIGMAS * spread
                for i in range(n)]
    if any(outliers) and sum(keep) - sum(outliers) >= 3:
        keep = [keep[i] and not outliers[i] for i in range(n)]
        refit, refit_pairs = _theil_sen(xs, vs, segments, keep)
        if refit is not None:
            slope, pair_slopes = refit, refit_pairs
            residuals = _residuals(xs, vs, segments, keep, slope)
    used = [i for i in range(n) if keep[i]]
    last_segment = segments[-1]
    current = [i for i in used if segments[i] == last_segment]
    if not current:
        current = [i for i in range(n) if segments[i] == last_segment]
    level = median(vs[i] - slope * xs[i] for i in current)
    res_spread = max(_MAD_TO_SIGMA * median(abs(residuals[i]) for i in used), floor)
    data_span = max(xs[used[-1]] - xs[used[0]], width, 1e-9)
    se = _slope_standard_error(xs, vs, segments, keep, slope, pair_slopes, len(used))

    gap = thr - level
    q_points = 1.0 - math.exp(-len(used) / 10.0)
    q_level = 1.0 - math.exp(-len(current) / 3.0)
    skipped = n - len(used)
    method = (f"theil-sen over {n} buckets, {last_segment + 1} segment(s), "
              f"{skipped} bucket(s) left out")
    if gap <= 0:
        z = -gap / (res_spread / math.sqrt(len(current)))
        confidence = _phi(z) * q_level
        seconds: float | None = 0.0
    else:
        crossing = gap / slope if slope > 0 else math.inf
        if crossing > MAX_HORIZON_S:
            needed = gap / CONFIDENCE_HORIZON_S
            confidence = _phi((needed - slope) / se if se > 0 else math.inf) * q_points
            seconds = None
        else:
            z = 0.5 * slope / se if se > 0 else math.inf
            ratio = crossing / data_span
            q_extrapolation = 1.0 / (1.0 + (ratio / 20.0) ** 2)
            confidence = (2.0 * _phi(z) - 1.0) * q_points * q_level * q_extrapolation
            seconds = crossing
    return Forecast(seconds, min(1.0, max(0.0, confidence)), sign * slope, sign * level,
                    method)


def _residuals(xs: list[float], vs: list[float], segments: list[int], keep: list[bool],
               slope: float) -> list[float]:
    """Each point's distance from the line of its segment (slope, segment's median)."""
    by_segment: dict[int, list[float]] = {}
    for i in range(len(xs)):
        if keep[i]:
            by_segment.setdefault(segments[i], []).append(vs[i] - slope * xs[i])
    offsets = {s: median(v) for s, v in by_segment.items()}
    out = []
    for i in range(len(xs)):
        offset = offsets.get(segments[i])
        out.append(0.0 if offset is None else vs[i] - slope * xs[i] - offset)
    return out


def _slope_standard_error(xs: list[float], vs: list[float], segments: list[int],
                          keep: list[bool], slope: float, pair_slopes: list[float],
                          n_used: int) -> float:
    """The larger of Sen's interval and the disagreement of sub-window slopes."""
    sen = _sen_standard_error(pair_slopes, n_used)
    used = [i for i in range(len(xs)) if keep[i]]
    start, end = xs[used[0]], xs[used[-1]]
    width = (end - start) / SUBWINDOWS
    sub_slopes: list[float] = []
    if width > 0:
        for k in range(SUBWINDOWS):
            lo = start + k * width
            hi = end if k == SUBWINDOWS - 1 else lo + width
            inside = [lo <= x <= hi for x in xs]
            part_keep = [keep[i] and inside[i] for i in range(len(xs))]
            if sum(part_keep) < 3:
                continue
            sub, _ = _theil_sen(xs, vs, segments, part_keep)
            if sub is not None:
                sub_slopes.append(sub)
    if len(sub_slopes) >= 2:
        disagreement = median(abs(s - slope) for s in sub_slopes) / math.sqrt(len(sub_slopes))
    else:
        disagreement = math.inf if math.isinf(sen) else 0.0
    return max(sen, disagreement)


def predict_linear_time(points: Sequence[tuple[int, float]], threshold: float, now_ms: int, *,
                        rising: bool = True) -> float | None:
    """The peer: Prometheus ``predict_linear`` solved for the crossing time.

    Ordinary least squares over all the points (the range vector), intercept at
    ``now_ms`` as Prometheus computes it (``linearRegression(samples, now)``); the
    seconds until that line reaches ``threshold``, ``0.0`` when its value now is past
    it, ``None`` when it heads away or crosses beyond :data:`MAX_HORIZON_S`.
    """
    if not math.isfinite(threshold):
        raise ValueError("threshold: must be a finite number")
    sign = 1.0 if rising else -1.0
    pts = _clean(points, now_ms, sign)
    if len(pts) < 2:
        return None
    n = float(len(pts))
    xs = [(t - now_ms) / 1000.0 for t, _ in pts]
    ys = [v for _, v in pts]
    mean_x = math.fsum(xs) / n
    mean_y = math.fsum(ys) / n
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x  # the line's value at now
    gap = sign * threshold - intercept
    if gap <= 0:
        return 0.0
    if slope <= 0:
        return None
    crossing = gap / slope
    return crossing if crossing <= MAX_HORIZON_S else None
