"""The embedded metric store: series and samples in the platform's own database.

Writes are batched: an in-process cache maps a sample's (name, labels) to its series id,
new series are created in bulk (``ignore_conflicts``, then read back, so several writers
may race), and samples go in inside one transaction: with ``COPY`` on PostgreSQL, with one
``executemany`` per chunk on SQLite and MariaDB (measured faster than ``bulk_create``,
bench/ingest.py).

Raw samples are kept CAREOPS_METRICS_RAW_DAYS; :func:`downsample` rolls older ones into
5-minute rollups (min, max, sum, count, last) kept CAREOPS_METRICS_ROLLUP_DAYS. ``select``
returns raw points and, for the part of a range that only rollups still cover, one point
per rollup bucket (its last value at the bucket's start, as VictoriaMetrics' downsampling
keeps the last sample of each interval; ``rate`` over counters stays right).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from careops.logic import promql
from careops.logic.metrics import NAME_LABEL, Selector, Series, series_key
from careops.logic.promtext import Sample
from careops.monitoring.storage.base import (
    ITEM_LABEL,
    MetricStore,
    StoreHealth,
)

log = logging.getLogger(__name__)

ROLLUP_RESOLUTION_S = 300
INSERT_CHUNK = 5000
ID_CHUNK = 500  # ids per IN (…): well under SQLite's 999 variables
TOUCH_EVERY_S = 60.0  # how often a series' last_seen_at is moved forward
CACHE_LIMIT = 2_000_000  # cached series ids before the cache starts afresh

LabelKey = tuple[str, tuple[tuple[str, str], ...]]


def _chunks(values: Sequence[int], size: int = ID_CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def merge_labels(labels: Mapping[str, str] | Iterable[tuple[str, str]],
                 extra: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The target's labels with ``extra`` added, as Prometheus does without honor_labels:
    a label the target set itself that clashes is kept as ``exported_<name>``."""
    merged = dict(labels)
    for key, value in extra:
        own = merged.get(key)
        if own is not None and own != value:
            merged["exported_" + key] = own
        merged[key] = value
    return merged


def _items_by_label(values: Collection[str]) -> dict[str, int]:
    """Item ids by the value of a series' ``careops_item`` label: the item's CMDB code."""
    from careops.cmdb.models import ConfigItem

    wanted = {v for v in values if v}
    if not wanted:
        return {}
    return dict(ConfigItem.objects.filter(code__in=wanted).values_list("code", "pk"))


class EmbeddedStore(MetricStore):
    name = "embedded"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # extra labels → (name, own labels in the target's order) → series id
        self._ids: dict[tuple[tuple[str, str], ...], dict[LabelKey, int]] = {}
        self._cached = 0
        self._touched: dict[int, float] = {}

    def forget(self) -> None:
        """Drop the cached series ids (after a test flushed the tables …)."""
        with self._lock:
            self._ids.clear()
            self._cached = 0
            self._touched.clear()

    # --- writing -----------------------------------------------------------------------
    def write(self, samples: Sequence[Sample], *, default_ts_ms: int,
              extra_labels: dict[str, str] | None = None) -> int:
        extra = tuple(sorted(extra_labels.items())) if extra_labels else ()
        try:
            return self._write(samples, default_ts_ms, extra)
        except IntegrityError:
            # A cached series id whose row is gone (the tables were emptied): start afresh.
            self.forget()
            return self._write(samples, default_ts_ms, extra)

    def _write(self, samples: Sequence[Sample], default_ts_ms: int,
               extra: tuple[tuple[str, str], ...]) -> int:
        with self._lock:
            cache = self._ids.setdefault(extra, {})
            rows: list[list[Any]] = []
            missing: dict[LabelKey, list[int]] = {}
            for sample in samples:
                value: float | None = sample.value
                if value != value:  # NaN: stored as NULL
                    value = None
                elif value in (math.inf, -math.inf):
                    continue
                key = (sample.name, tuple(sample.labels.items()))
                ts = sample.timestamp_ms if sample.timestamp_ms is not None else default_ts_ms
                sid = cache.get(key)
                if sid is None:
                    missing.setdefault(key, []).append(len(rows))
                rows.append([sid, ts, value])
            if not rows:
                return 0
            with transaction.atomic():
                if missing:
                    ids = self._resolve(list(missing), extra)
                    if self._cached + len(ids) > CACHE_LIMIT:
                        self._ids.clear()
                        self._cached = 0
                        cache = self._ids.setdefault(extra, {})
                    for key, positions in missing.items():
                        sid = ids[key]
                        cache[key] = sid
                        for pos in positions:
                            rows[pos][0] = sid
                    self._cached += len(ids)
                self._insert(rows)
                self._touch({row[0] for row in rows})
            return len(rows)

    def _resolve(self, keys: list[LabelKey], extra: tuple[tuple[str, str], ...]
                 ) -> dict[LabelKey, int]:
        """The series ids of ``keys``, creating the series that do not exist yet."""
        from careops.monitoring.models import Series as SeriesRow

        by_hash: dict[str, LabelKey] = {}
        labels_of: dict[str, dict[str, str]] = {}
        for key in keys:
            name, own = key
            labels = merge_labels(own, extra)
            digest = series_key(name, labels)
            by_hash[digest] = key
            labels_of[digest] = labels
        found = self._ids_by_hash(list(by_hash))
        new = [h for h in by_hash if h not in found]
        if new:
            items = _items_by_label({labels_of[h].get(ITEM_LABEL, "") for h in new})
            now = timezone.now()
            rows = []
            for digest in new:
                labels = labels_of[digest]
                rows.append(SeriesRow(
                    name=by_hash[digest][0][:200],
                    labels={k: v for k, v in labels.items() if k != NAME_LABEL},
                    key=digest, item_id=items.get(labels.get(ITEM_LABEL, "")),
                    first_seen_at=now, last_seen_at=now))
            SeriesRow.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
            found.update(self._ids_by_hash(new))
        return {by_hash[h]: sid for h, sid in found.items()}

    @staticmethod
    def _ids_by_hash(hashes: list[str]) -> dict[str, int]:
        from careops.monitoring.models import Series as SeriesRow

        found: dict[str, int] = {}
        for start in range(0, len(hashes), ID_CHUNK):
            found.update(SeriesRow.objects.filter(key__in=hashes[start:start + ID_CHUNK])
                         .values_list("key", "id"))
        return found

    @staticmethod
    def _insert(rows: list[list[Any]]) -> None:
        from careops.monitoring.models import Sample as SampleRow

        quote = connection.ops.quote_name
        table = quote(SampleRow._meta.db_table)
        columns = ", ".join(quote(c) for c in ("series_id", "ts", "value"))
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY: about 8× faster than executemany on PostgreSQL (bench/ingest.py)
                with cursor.cursor.copy(
                        f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types(["int8", "int8", "float8"])
                    for row in rows:
                        copy.write_row(row)
                return
            sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s)"  # noqa: S608 (no input)
            for start in range(0, len(rows), INSERT_CHUNK):
                cursor.executemany(sql, rows[start:start + INSERT_CHUNK])

    def _touch(self, ids: set[int]) -> None:
        from careops.monitoring.models import Series as SeriesRow

        now = time.monotonic()
        stale = [sid for sid in ids if now - self._touched.get(sid, -math.inf) > TOUCH_EVERY_S]
        if not stale:
            return
        at = timezone.now()
        for chunk in _chunks(stale):
            SeriesRow.objects.filter(pk__in=chunk).update(last_seen_at=at)
        for sid in stale:
            self._touched[sid] = now

    # --- reading -----------------------------------------------------------------------
    def series_for(self, selector: Selector) -> list[tuple[int, dict[str, str]]]:
        """(id, labels with __name__) of the stored series ``selector`` matches."""
        from careops.monitoring.models import Series as SeriesRow

        rows = SeriesRow.objects.all()
        if selector.name is not None:
            rows = rows.filter(name=selector.name)
        for matcher in selector.matchers:
            if matcher.op != "=" or not matcher.value:
                continue
            if matcher.label == NAME_LABEL:
                rows = rows.filter(name=matcher.value)
            elif matcher.label == ITEM_LABEL:
                # an item's series are linked to it when written; a code no item has is
                # matched on the label alone (below)
                item_id = _items_by_label({matcher.value}).get(matcher.value)
                if item_id is not None:
                    rows = rows.filter(item_id=item_id)
        found = []
        for sid, name, labels in rows.values_list("id", "name", "labels").iterator(2000):
            full = {NAME_LABEL: name, **labels}
            if selector.matches(full):
                found.append((sid, full))
        return found

    def select(self, selector: Selector, start_ms: int, end_ms: int, *,
               only: Collection[int] | None = None) -> list[Series]:
        """The raw points of the series ``selector`` matches (of the series ids ``only``,
        when given)."""
        from careops.monitoring.models import Rollup
        from careops.monitoring.models import Sample as SampleRow

        matched = self.series_for(selector)
        if only is not None:
            matched = [(sid, labels) for sid, labels in matched if sid in only]
        if not matched or end_ms < start_ms:
            return []
        raw: dict[int, list[tuple[int, float]]] = {}
        ids = [sid for sid, _ in matched]
        for chunk in _chunks(ids):
            for sid, ts, value in (SampleRow.objects
                                   .filter(series_id__in=chunk, ts__gte=start_ms, ts__lte=end_ms)
                                   .order_by("series_id", "ts")
                                   .values_list("series_id", "ts", "value").iterator(10000)):
                raw.setdefault(sid, []).append((ts, math.nan if value is None else value))
        rolled: dict[int, list[tuple[int, float]]] = {}
        if start_ms < raw_cutoff_ms():
            for chunk in _chunks(ids):
                for sid, ts, value in (Rollup.objects
                                       .filter(series_id__in=chunk,
                                               resolution_s=ROLLUP_RESOLUTION_S,
                                               ts__gte=start_ms, ts__lte=end_ms)
                                       .order_by("series_id", "ts")
                                       .values_list("series_id", "ts", "last").iterator(10000)):
                    rolled.setdefault(sid, []).append((ts, math.nan if value is None else value))
        result = []
        for sid, labels in matched:
            points = raw.get(sid, [])
            older = rolled.get(sid)
            if older:
                first_raw = points[0][0] if points else end_ms + 1
                points = [p for p in older if p[0] < first_raw] + points
            if points:
                result.append(Series(labels=labels, points=points))
        return result

    def query_range(self, expr: str, start_ms: int, end_ms: int, step_ms: int) -> list[Series]:
        return promql.evaluate_range(expr, self.select, start_ms, end_ms, step_ms)

    def query_range_scoped(self, expr: str, start_ms: int, end_ms: int, step_ms: int, *,
                           item_ids: Collection[int]) -> list[Series]:
        """The expression reads only the series of ``item_ids`` — those the store linked to
        them (``Series.item``), so an item's history stays its own whatever its code was
        or becomes: aggregations, joins and label functions never see another item's
        data."""
        from careops.monitoring.models import Series as SeriesRow

        allowed = set(SeriesRow.objects.filter(item_id__in=list(item_ids))
                      .values_list("id", flat=True))

        def select(selector: Selector, start: int, end: int) -> list[Series]:
            return self.select(selector, start, end, only=allowed)

        return promql.evaluate_range(expr, select, start_ms, end_ms, step_ms)

    def health(self) -> StoreHealth:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError as exc:
            return StoreHealth(self.name, reachable=False, detail=str(exc)[:200])
        return StoreHealth(self.name, reachable=True)


# --- retention and downsampling -----------------------------------------------------------
def raw_cutoff_ms(now: dt.datetime | None = None) -> int:
    """Raw samples before this time (a 5-minute boundary) are rolled up."""
    now = now or timezone.now()
    edge = int((now - dt.timedelta(days=settings.CAREOPS_METRICS_RAW_DAYS)).timestamp() * 1000)
    return edge - edge % (ROLLUP_RESOLUTION_S * 1000)


def rollup_cutoff_ms(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return int((now - dt.timedelta(days=settings.CAREOPS_METRICS_ROLLUP_DAYS)).timestamp() * 1000)


@dataclass
class DownsampleOutcome:
    rolled_samples: int = 0
    rollups_written: int = 0
    rollups_deleted: int = 0
    series_deleted: int = 0


@dataclass
class _Bucket:
    min: float | None
    max: float | None
    sum: float | None
    count: int
    last: float | None

    def add(self, value: float | None) -> None:
        self.last = value
        if value is None:
            return
        self.count += 1
        self.min = value if self.min is None else min(self.min, value)
        self.max = value if self.max is None else max(self.max, value)
        self.sum = value if self.sum is None else self.sum + value

    def merge_older(self, older: _Bucket) -> None:
        """Fold a bucket of earlier samples (a rollup written by an earlier batch) in."""
        for value in (older.min, older.max):
            if value is not None:
                self.min = value if self.min is None else min(self.min, value)
                self.max = value if self.max is None else max(self.max, value)
        if older.sum is not None:
            self.sum = older.sum if self.sum is None else self.sum + older.sum
        self.count += older.count


def downsample(now: dt.datetime | None = None, *, batch: int = 20_000,
               series_chunk: int = 200) -> DownsampleOutcome:
    """Roll raw samples older than the raw retention into 5-minute rollups, delete rollups
    older than the rollup retention and series seen by nobody since. Idempotent: each
    batch writes its rollups and deletes its raw samples in one transaction, and a bucket
    met again (a later batch, a rerun) is merged, not doubled."""
    from careops.monitoring.models import Rollup
    from careops.monitoring.models import Sample as SampleRow
    from careops.monitoring.models import Series as SeriesRow

    now = now or timezone.now()
    outcome = DownsampleOutcome()
    cutoff = raw_cutoff_ms(now)
    res_ms = ROLLUP_RESOLUTION_S * 1000
    series_ids = list(SeriesRow.objects.order_by("id").values_list("id", flat=True))
    for chunk in _chunks(series_ids, series_chunk):
        while True:
            rows = list(SampleRow.objects.filter(series_id__in=chunk, ts__lt=cutoff)
                        .order_by("series_id", "ts", "id")
                        .values_list("id", "series_id", "ts", "value")[:batch])
            if not rows:
                break
            buckets: dict[tuple[int, int], _Bucket] = {}
            for _, sid, ts, value in rows:
                key = (sid, ts - ts % res_ms)
                bucket = buckets.get(key)
                if bucket is None:
                    bucket = buckets[key] = _Bucket(None, None, None, 0, None)
                bucket.add(value)
            with transaction.atomic():
                _save_buckets(buckets)
                ids = [row[0] for row in rows]
                for id_chunk in _chunks(ids):
                    SampleRow.objects.filter(pk__in=id_chunk).delete()
            outcome.rolled_samples += len(rows)
            outcome.rollups_written += len(buckets)
            if len(rows) < batch:
                break
    old_edge = rollup_cutoff_ms(now)
    while True:
        ids = list(Rollup.objects.filter(ts__lt=old_edge).values_list("id", flat=True)[:5000])
        if not ids:
            break
        for id_chunk in _chunks(ids):
            outcome.rollups_deleted += Rollup.objects.filter(pk__in=id_chunk).delete()[0]
    gone_before = dt.datetime.fromtimestamp(old_edge / 1000, tz=dt.UTC)
    while True:
        ids = list(SeriesRow.objects.filter(last_seen_at__lt=gone_before)
                   .values_list("id", flat=True)[:ID_CHUNK])
        if not ids:
            break
        with transaction.atomic():
            SampleRow.objects.filter(series_id__in=ids).delete()
            Rollup.objects.filter(series_id__in=ids).delete()
            outcome.series_deleted += SeriesRow.objects.filter(pk__in=ids).delete()[0]
    return outcome


def _save_buckets(buckets: dict[tuple[int, int], _Bucket]) -> None:
    from careops.monitoring.models import Rollup

    by_series: dict[int, list[int]] = {}
    for sid, ts in buckets:
        by_series.setdefault(sid, []).append(ts)
    existing: dict[tuple[int, int], Rollup] = {}
    for sid, stamps in by_series.items():
        for row in Rollup.objects.filter(series_id=sid, resolution_s=ROLLUP_RESOLUTION_S,
                                         ts__gte=min(stamps), ts__lte=max(stamps)):
            existing[(row.series_id, row.ts)] = row
    new: list[Rollup] = []
    changed: list[Rollup] = []
    for (sid, ts), bucket in buckets.items():
        found = existing.get((sid, ts))
        if found is None:
            new.append(Rollup(series_id=sid, resolution_s=ROLLUP_RESOLUTION_S, ts=ts,
                              min=bucket.min, max=bucket.max, sum=bucket.sum,
                              count=bucket.count, last=bucket.last))
            continue
        row = found
        bucket.merge_older(_Bucket(row.min, row.max, row.sum, row.count, row.last))
        row.min, row.max, row.sum = bucket.min, bucket.max, bucket.sum
        row.count, row.last = bucket.count, bucket.last
        changed.append(row)
    Rollup.objects.bulk_create(new, batch_size=500)
    Rollup.objects.bulk_update(changed, ["min", "max", "sum", "count", "last"], batch_size=500)
