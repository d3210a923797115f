"""Forecast benchmark: time to 95 % full on generated disk-usage series, robust fit
(careops.logic.forecast.time_to_threshold) against a plain linear fit (Prometheus
predict_linear, careops.logic.forecast.predict_linear_time). See bench/README.md and
docs/monitoring-forecast.md.

    .venv/bin/python bench/forecast.py                 # 24 series, seed 5
    .venv/bin/python bench/forecast.py --series 6 --step-min 180   # quicker
"""

from __future__ import annotations

import argparse
import bisect
import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from careops.logic.forecast import predict_linear_time, time_to_threshold

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MIN_MS = 60_000
LOCAL_OFFSET_MS = 8 * HOUR_MS  # backups and rotations follow China time
THRESHOLD = 0.95
ALERT_S = 7 * 86400.0  # "disk full within 7 days"
# 2026-03-02 00:00 China time, a Monday.
START_MS = 1_772_380_800_000


@dataclass
class DiskSeries:
    """One generated disk: samples, and the underlying level to compute the truth from."""
    name: str
    rate_per_day: float  # underlying growth, fraction of the disk per day
    points: list[tuple[int, float]] = field(default_factory=list)
    # (time, underlying level just after it): changes of the underlying level by drops;
    # between them the level grows at rate_per_day.
    anchors: list[tuple[int, float]] = field(default_factory=list)
    events: list[str] = field(default_factory=list)

    def underlying(self, t_ms: int) -> float:
        k = bisect.bisect_right(self.anchors, (t_ms, math.inf)) - 1
        at, level = self.anchors[max(k, 0)]
        return level + self.rate_per_day * (t_ms - at) / DAY_MS

    def true_seconds(self, t_ms: int) -> float | None:
        """Seconds until the underlying level reaches 95 % growing at its rate, if nothing
        is deleted meanwhile (future rotations are not counted)."""
        gap = THRESHOLD - self.underlying(t_ms)
        if gap <= 0:
            return 0.0
        if self.rate_per_day <= 0:
            return None
        return gap / self.rate_per_day * 86400.0


def generate(seed: int, count: int, days: int = 21, step_ms: int = 2 * MIN_MS,
             eval_start_day: int = 14) -> list[DiskSeries]:
    """Disk-usage series (fraction of the disk), deterministic for ``seed``.

    - One disk in six is flat (no growth); the others get a growth rate such that the
      true time to 95 % at ``eval_start_day`` is log-uniform in 8-90 days, from an
      underlying level at that day uniform in 0.55-0.80.
    - Noise: Gaussian, sd uniform in 0.05-0.4 % of the disk, independent per sample.
    - Nightly backup (9 nights in 10): starts at a uniform time between 01:00 and 03:00
      China time, lasts 30-90 min, grows linearly to +5-15 % of the disk over 70 % of
      that time, holds, then vanishes at once (the dump is copied away and deleted).
    - Log rotation every Sunday at 00:00-00:15 China time: the underlying level drops by
      3-10 % of itself; growth goes on at the same rate.
    - Clean-up: one disk in two has one, at a uniform time, dropping 10-20 % of the level.
    """
    rng = random.Random(seed)
    out: list[DiskSeries] = []
    end_ms = START_MS + days * DAY_MS
    for index in range(count):
        flat = index % 6 == 5
        level_at_eval = rng.uniform(0.55, 0.80)
        if flat:
            rate = 0.0
        else:
            days_to_full = math.exp(rng.uniform(math.log(8.0), math.log(90.0)))
            rate = (THRESHOLD - level_at_eval) / days_to_full
        noise = rng.uniform(0.0005, 0.004)
        series = DiskSeries(f"disk{index:02d}", rate)
        # Drops of the underlying level: weekly rotations and maybe one clean-up.
        drops: list[tuple[int, float, str]] = []
        for day in range(days):
            day_start = START_MS + day * DAY_MS
            if day % 7 == 6:  # Sunday (START_MS is a Monday)
                drops.append((day_start + rng.randrange(0, 15 * MIN_MS),
                              rng.uniform(0.03, 0.10), "rotation"))
        if index % 2 == 0:
            drops.append((START_MS + rng.randrange(DAY_MS, days * DAY_MS),
                          rng.uniform(0.10, 0.20), "clean-up"))
        drops.sort()
        # The level at the evaluation start is linear in the start level: solve for it.
        eval_ms = START_MS + eval_start_day * DAY_MS

        def level_at_eval_from(start: float, growth: float,
                               drops: list[tuple[int, float, str]] = drops,
                               eval_ms: int = eval_ms) -> float:
            level, last = start, START_MS
            for at, fraction, _ in drops:
                if at >= eval_ms:
                    break
                level = (level + growth * (at - last) / DAY_MS) * (1 - fraction)
                last = at
            return level + growth * (eval_ms - last) / DAY_MS

        start_level = ((level_at_eval - level_at_eval_from(0.0, rate))
                       / level_at_eval_from(1.0, 0.0))
        if start_level < 0.05:  # too much growth for the drops: start low, accept it
            start_level = 0.05
        series.anchors.append((START_MS, start_level))
        for at, fraction, kind in drops:
            before = series.underlying(at)
            series.anchors.append((at, before * (1 - fraction)))
            series.events.append(
                f"{kind} day {(at - START_MS) / DAY_MS:.1f} -{fraction * 100:.0f}%")
        backups: list[tuple[int, int, float]] = []  # start, duration, height
        for day in range(days):
            if rng.random() < 0.9:
                start = (START_MS + day * DAY_MS + HOUR_MS
                         + rng.randrange(0, 2 * HOUR_MS))
                backups.append((start, rng.randrange(30, 91) * MIN_MS, rng.uniform(0.05, 0.15)))
        b = 0
        for t in range(START_MS, end_ms + 1, step_ms):
            value = series.underlying(t) + rng.gauss(0.0, noise)
            while b < len(backups) and backups[b][0] + backups[b][1] <= t:
                b += 1
            if b < len(backups) and backups[b][0] <= t:
                start, duration, height = backups[b]
                value += height * min(1.0, (t - start) / (0.7 * duration))
            series.points.append((t, min(1.0, max(0.0, value))))
        out.append(series)
    return out


Method = Callable[[Sequence[tuple[int, float]], float, int], float | None]


def robust(points: Sequence[tuple[int, float]], threshold: float, now_ms: int) -> float | None:
    return time_to_threshold(points, threshold, now_ms).seconds_to_threshold


def peer(points: Sequence[tuple[int, float]], threshold: float, now_ms: int) -> float | None:
    return predict_linear_time(points, threshold, now_ms)


@dataclass
class Outcome:
    abs_err_days: list[float] = field(default_factory=list)
    rel_err: list[float] = field(default_factory=list)
    none_when_finite: int = 0
    answered_flat: int = 0  # a crossing predicted for a disk that does not grow
    flat_evals: int = 0
    transitions: int = 0
    true_transitions: int = 0
    agree: int = 0
    evals: int = 0
    seconds: float = 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
    return ordered[k]


def evaluate(series_list: list[DiskSeries], window_ms: int, method: Method,
             step_ms: int, eval_start_day: int, days: int) -> Outcome:
    out = Outcome()
    for series in series_list:
        times = [t for t, _ in series.points]
        state: bool | None = None
        true_state: bool | None = None
        now = START_MS + eval_start_day * DAY_MS
        end = START_MS + days * DAY_MS
        while now <= end:
            lo = bisect.bisect_left(times, now - window_ms)
            hi = bisect.bisect_right(times, now)
            window = series.points[lo:hi]
            began = time.perf_counter()
            predicted = method(window, THRESHOLD, now)
            out.seconds += time.perf_counter() - began
            out.evals += 1
            truth = series.true_seconds(now)
            if truth is None:
                out.flat_evals += 1
                if predicted is not None and predicted < ALERT_S:
                    out.answered_flat += 1
            elif predicted is None:
                out.none_when_finite += 1
                out.abs_err_days.append(math.inf)
                out.rel_err.append(math.inf)
            else:
                error = abs(predicted - truth)
                out.abs_err_days.append(error / 86400.0)
                out.rel_err.append(error / truth if truth > 0 else (0.0 if error == 0
                                                                      else math.inf))
            alert = predicted is not None and predicted < ALERT_S
            true_alert = truth is not None and truth < ALERT_S
            out.agree += alert == true_alert
            if state is not None and alert != state:
                out.transitions += 1
            if true_state is not None and true_alert != true_state:
                out.true_transitions += 1
            state, true_state = alert, true_alert
            now += step_ms
    return out


def _fmt(value: float, spec: str = "%.2f") -> str:
    return "inf" if math.isinf(value) else spec % value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=24)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--days", type=int, default=21)
    parser.add_argument("--sample-min", type=int, default=2,
                        help="minutes between samples (default 2)")
    parser.add_argument("--step-min", type=int, default=60,
                        help="minutes between evaluations (default 60)")
    args = parser.parse_args(argv)
    eval_start_day = 14
    if args.days <= eval_start_day:
        parser.error("--days: must be more than 14 (7 days of window, then evaluations)")
    series_list = generate(args.seed, args.series, args.days, args.sample_min * MIN_MS,
                           eval_start_day)
    evaluations = (args.days - eval_start_day) * 24 * 60 // args.step_min + 1
    print(f"{args.series} disk series (seed {args.seed}), {args.days} days of "
          f"{args.sample_min}-minute samples; threshold 95 %, alert 'full within 7 days'")
    print(f"evaluated every {args.step_min} min from day {eval_start_day} to day {args.days} "
          f"({evaluations} instants per series); truth: the generator's underlying level and "
          "rate (no spikes, no noise, future deletions not counted)")
    flats = sum(1 for s in series_list if s.rate_per_day == 0)
    rates = [100 * s.rate_per_day for s in series_list if s.rate_per_day > 0]
    rotations = sum(e.startswith("rotation") for s in series_list for e in s.events)
    cleanups = sum(e.startswith("clean-up") for s in series_list for e in s.events)
    print(f"{flats} flat disks; growth {min(rates):.2f}-{max(rates):.2f} %/day; "
          f"{rotations} rotations, {cleanups} clean-ups")
    print()
    header = (f"{'method / window':<24} {'abs p50 d':>9} {'abs p90 d':>9} {'rel p50':>9} "
              f"{'rel p90':>9} {'no ans':>7} {'flat FA':>9} {'flips':>8} {'agree':>8} "
              f"{'ms/eval':>9}")
    print(header)
    print("-" * len(header))
    results: dict[tuple[str, str], Outcome] = {}
    for window_name, window_ms in (("24h", DAY_MS), ("7d", 7 * DAY_MS)):
        for method_name, method in (("robust", robust), ("predict_linear", peer)):
            outcome = evaluate(series_list, window_ms, method, args.step_min * MIN_MS,
                               eval_start_day, args.days)
            results[(method_name, window_name)] = outcome
            finite = len(outcome.abs_err_days)
            label = f"{method_name} [{window_name}]"
            no_answer = 100.0 * outcome.none_when_finite / max(finite, 1)
            false_alarm = 100.0 * outcome.answered_flat / max(outcome.flat_evals, 1)
            agree = 100.0 * outcome.agree / max(outcome.evals, 1)
            ms = 1000.0 * outcome.seconds / max(outcome.evals, 1)
            print(f"{label:<24} {_fmt(percentile(outcome.abs_err_days, 0.5)):>9} "
                  f"{_fmt(percentile(outcome.abs_err_days, 0.9)):>9} "
                  f"{_fmt(percentile(outcome.rel_err, 0.5)):>9} "
                  f"{_fmt(percentile(outcome.rel_err, 0.9)):>9} {no_answer:>6.1f}% "
                  f"{false_alarm:>8.1f}% {outcome.transitions:>8d} {agree:>7.1f}% {ms:>9.2f}")
    truth_flips = results[("robust", "24h")].true_transitions
    print("-" * len(header))
    print("flips: changes of the 'full within 7 days' state between consecutive "
          f"evaluations, all series (the truth changes {truth_flips} times)")
    print()
    for window_name in ("24h", "7d"):
        mine, other = results[("robust", window_name)], results[("predict_linear", window_name)]

        def ratio(a: float, b: float) -> str:
            if math.isinf(a) and math.isinf(b):
                return "n/a"
            if b == 0:
                return "inf" if a > 0 else "1.0"
            return _fmt(a / b, "%.1f")

        abs50 = ratio(percentile(other.abs_err_days, 0.5), percentile(mine.abs_err_days, 0.5))
        abs90 = ratio(percentile(other.abs_err_days, 0.9), percentile(mine.abs_err_days, 0.9))
        rel50 = ratio(percentile(other.rel_err, 0.5), percentile(mine.rel_err, 0.5))
        rel90 = ratio(percentile(other.rel_err, 0.9), percentile(mine.rel_err, 0.9))
        flips = ratio(other.transitions, mine.transitions)
        print(f"[{window_name}] predict_linear / robust: abs error p50 {abs50}x, p90 {abs90}x; "
              f"rel error p50 {rel50}x, p90 {rel90}x; flips {flips}x ({other.transitions} vs "
              f"{mine.transitions}, truth {mine.true_transitions})")
    speed()
    return 0


def speed(runs: int = 21) -> None:
    """Time of one forecast over 7 days of one-minute points (10,081), median of runs."""
    series = generate(1, 1, days=7, step_ms=MIN_MS, eval_start_day=0)[0]
    now = series.points[-1][0]
    figures = []
    for method in (robust, peer):
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            method(series.points, THRESHOLD, now)
            times.append(time.perf_counter() - began)
        figures.append(1000 * sorted(times)[runs // 2])
    print(f"\nspeed, {len(series.points)} one-minute points (7 days), median of {runs}: "
          f"robust {figures[0]:.1f} ms, predict_linear {figures[1]:.1f} ms "
          f"(ratio {figures[0] / figures[1]:.1f}x)")


if __name__ == "__main__":
    sys.exit(main())
