"""An in-memory metric store: a dict of series to sorted points, queried with the PromQL
subset of :mod:`careops.logic.promql`. Used by tests and by rule previews over data a
caller supplies; nothing is kept across processes."""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence

from careops.logic.metrics import NAME_LABEL, Point, Selector, Series
from careops.logic.promql import evaluate_range
from careops.logic.promtext import Sample
from careops.monitoring.storage.base import MetricStore, StoreHealth

_Key = tuple[tuple[str, str], ...]


class _Points:
    __slots__ = ("labels", "times", "values")

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels
        self.times: list[int] = []
        self.values: list[float] = []

    def add(self, ts: int, value: float) -> None:
        times = self.times
        if not times or ts > times[-1]:
            times.append(ts)
            self.values.append(value)
            return
        i = bisect_left(times, ts)
        if i < len(times) and times[i] == ts:
            self.values[i] = value  # the same timestamp again: the last write wins
        else:
            times.insert(i, ts)
            self.values.insert(i, value)


class MemoryStore(MetricStore):
    name = "memory"

    def __init__(self) -> None:
        self._series: dict[_Key, _Points] = {}
        self._by_name: dict[str, list[_Points]] = {}
        self._lock = threading.Lock()

    def _get(self, labels: Mapping[str, str]) -> _Points:
        key = tuple(sorted(labels.items()))
        pts = self._series.get(key)
        if pts is None:
            pts = self._series[key] = _Points(dict(labels))
            self._by_name.setdefault(labels.get(NAME_LABEL, ""), []).append(pts)
        return pts

    def write(self, samples: Sequence[Sample], *, default_ts_ms: int,
              extra_labels: dict[str, str] | None = None) -> int:
        accepted = 0
        with self._lock:
            for sample in samples:
                labels = {**sample.labels, **(extra_labels or {}), NAME_LABEL: sample.name}
                ts = sample.timestamp_ms if sample.timestamp_ms is not None else default_ts_ms
                self._get(labels).add(ts, float(sample.value))
                accepted += 1
        return accepted

    def add(self, labels: Mapping[str, str], points: Iterable[Point]) -> None:
        """Store ``points`` of the series ``labels`` (``__name__`` included)."""
        with self._lock:
            pts = self._get(labels)
            for ts, value in points:
                pts.add(int(ts), float(value))

    def select(self, selector: Selector, start_ms: int, end_ms: int) -> list[Series]:
        with self._lock:
            if selector.name is not None:
                candidates = list(self._by_name.get(selector.name, []))
            else:
                candidates = list(self._series.values())
            out = []
            for pts in candidates:
                if not selector.matches(pts.labels):
                    continue
                lo = bisect_left(pts.times, start_ms)
                hi = bisect_right(pts.times, end_ms)
                if hi > lo:
                    out.append(Series(dict(pts.labels),
                                      list(zip(pts.times[lo:hi], pts.values[lo:hi],
                                               strict=True))))
            return out

    def query_range(self, expr: str, start_ms: int, end_ms: int, step_ms: int) -> list[Series]:
        return evaluate_range(expr, self.select, start_ms, end_ms, step_ms)

    def health(self) -> StoreHealth:
        with self._lock:
            count = sum(len(p.times) for p in self._series.values())
        return StoreHealth(backend=self.name, reachable=True,
                           detail=f"{len(self._series)} series, {count} samples")
