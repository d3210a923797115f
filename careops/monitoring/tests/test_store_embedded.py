"""The embedded metric store: batched writes, select with matchers, rollups and retention.

Runs on SQLite here and on PostgreSQL / MariaDB in the suite: nothing SQLite-only."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from careops.cmdb.models import Host
from careops.logic.metrics import Matcher, Selector
from careops.logic.promtext import Sample
from careops.monitoring.models import Rollup
from careops.monitoring.models import Sample as SampleRow
from careops.monitoring.models import Series as SeriesRow
from careops.monitoring.storage import embedded
from careops.monitoring.storage.embedded import EmbeddedStore, downsample, merge_labels

T0 = 1_700_000_000_000  # ms
MIN = 60_000


def sel(name: str | None, *matchers: tuple[str, str, str]) -> Selector:
    return Selector(name, tuple(Matcher(*m) for m in matchers))


@pytest.fixture
def host(db: Any) -> Host:
    return Host.objects.create(name="LIS server", code="SRV-LIS", hostname="lis01",
                               os_family="linux")


def test_it_writes_samples_and_reads_them_back_by_selector(db: Any) -> None:
    store = EmbeddedStore()
    samples = [Sample("node_load1", {}, 0.5),
               Sample("node_filesystem_avail_bytes", {"mountpoint": "/", "fstype": "ext4"}, 100.0),
               Sample("node_filesystem_avail_bytes", {"mountpoint": "/data"}, 7.0, T0 - 5)]
    assert store.write(samples, default_ts_ms=T0, extra_labels={"job": "node"}) == 3
    assert store.write(samples[:2], default_ts_ms=T0 + MIN, extra_labels={"job": "node"}) == 2

    load = store.select(sel("node_load1"), T0, T0 + MIN)
    assert [(s.labels, s.points) for s in load] == [
        ({"__name__": "node_load1", "job": "node"}, [(T0, 0.5), (T0 + MIN, 0.5)])]
    root = store.select(sel("node_filesystem_avail_bytes", ("mountpoint", "=", "/")), 0, T0 * 2)
    assert [s.points for s in root] == [[(T0, 100.0), (T0 + MIN, 100.0)]]
    data = store.select(sel(None, ("__name__", "=~", "node_file.*"),
                            ("mountpoint", "!=", "/")), 0, T0 * 2)
    assert [s.points for s in data] == [[(T0 - 5, 7.0)]]
    # the range is inclusive at both ends and nothing outside it comes back
    assert store.select(sel("node_load1"), T0 + 1, T0 + MIN - 1) == []
    assert SeriesRow.objects.count() == 3


def test_it_keeps_one_series_per_label_set_whatever_the_order_or_the_writer(db: Any) -> None:
    first, second = EmbeddedStore(), EmbeddedStore()
    first.write([Sample("up", {"a": "1", "b": "2"}, 1)], default_ts_ms=T0)
    second.write([Sample("up", {"b": "2", "a": "1"}, 0)], default_ts_ms=T0 + 1)
    assert SeriesRow.objects.count() == 1
    [series] = first.select(sel("up"), 0, T0 * 2)
    assert series.points == [(T0, 1.0), (T0 + 1, 0.0)]


def test_it_renames_a_clashing_target_label_like_prometheus(db: Any) -> None:
    assert merge_labels({"job": "mine", "x": "1"}, [("job", "node")]) == {
        "job": "node", "exported_job": "mine", "x": "1"}
    assert merge_labels({"job": "node"}, [("job", "node")]) == {"job": "node"}


def test_it_links_the_series_to_the_item_whose_code_the_careops_item_label_names(
        host: Host) -> None:
    store = EmbeddedStore()
    store.write([Sample("up", {}, 1), Sample("x", {}, 1)], default_ts_ms=T0,
                extra_labels={"careops_item": host.code})
    store.write([Sample("up", {}, 1)], default_ts_ms=T0, extra_labels={"careops_item": "NO-SUCH"})
    assert SeriesRow.objects.filter(item=host).count() == 2
    assert SeriesRow.objects.filter(item__isnull=True).count() == 1
    found = store.select(sel("up", ("careops_item", "=", host.code)), 0, T0)
    assert [s.labels["careops_item"] for s in found] == [host.code]
    # a code no item has is still a label a selector matches
    [unlinked] = store.select(sel("up", ("careops_item", "=", "NO-SUCH")), 0, T0)
    assert unlinked.labels["careops_item"] == "NO-SUCH"


def test_a_scoped_query_reads_the_series_linked_to_the_item_whatever_its_code(
        host: Host) -> None:
    """Scoping goes by the link the store made when writing, not by the label: an item
    renamed keeps its history, and an all-digit code equal to another item's id (asset
    numbers are codes) reads nothing of that other item."""
    store = EmbeddedStore()
    store.write([Sample("up", {}, 0)], default_ts_ms=T0, extra_labels={"careops_item": host.code})
    Host.objects.filter(pk=host.pk).update(code="SRV-LIS-NEW")
    store.forget()
    store.write([Sample("up", {}, 1)], default_ts_ms=T0 + 60_000,
                extra_labels={"careops_item": "SRV-LIS-NEW"})
    scoped = store.query_range_scoped("up", T0, T0 + 60_000, 60_000, item_ids=[host.pk])
    assert sorted(s.labels["careops_item"] for s in scoped) == ["SRV-LIS", "SRV-LIS-NEW"]
    digits = Host.objects.create(name="Asset", code=str(host.pk), hostname="asset",
                                 os_family="linux")
    store.write([Sample("up", {}, 5)], default_ts_ms=T0, extra_labels={"careops_item": str(
        host.pk)})  # the asset's own series: its code happens to be the LIS host's id
    mine = store.query_range_scoped("up", T0, T0 + 60_000, 60_000, item_ids=[host.pk])
    assert str(host.pk) not in {s.labels["careops_item"] for s in mine}
    theirs = store.query_range_scoped("up", T0, T0 + 60_000, 60_000, item_ids=[digits.pk])
    assert [s.labels["careops_item"] for s in theirs] == [str(host.pk)]


def test_it_stores_nan_as_missing_and_skips_infinities(db: Any) -> None:
    store = EmbeddedStore()
    accepted = store.write([Sample("a", {}, math.nan), Sample("b", {}, math.inf),
                            Sample("c", {}, -math.inf), Sample("d", {}, 1e308)],
                           default_ts_ms=T0)
    assert accepted == 2
    [a] = store.select(sel("a"), T0, T0)
    assert math.isnan(a.points[0][1])
    assert store.select(sel("b"), T0, T0) == []
    assert store.select(sel("d"), T0, T0)[0].points == [(T0, 1e308)]


def test_it_recovers_when_its_cached_series_are_gone(transactional_db: Any) -> None:
    # Foreign keys are checked at commit: a real (not test-wrapped) transaction is needed.
    store = EmbeddedStore()
    store.write([Sample("up", {}, 1)], default_ts_ms=T0)
    SeriesRow.objects.all().delete()
    assert store.write([Sample("up", {}, 1)], default_ts_ms=T0 + 1) == 1
    assert store.select(sel("up"), 0, T0 * 2)[0].points == [(T0 + 1, 1.0)]


def _old(now: dt.datetime, days: float) -> int:
    return int((now - dt.timedelta(days=days)).timestamp() * 1000)


def test_it_rolls_old_samples_into_five_minute_buckets_once(db: Any, settings: Any) -> None:
    settings.CAREOPS_METRICS_RAW_DAYS = 15
    now = timezone.now()
    base = _old(now, 20)
    base -= base % 300_000
    store = EmbeddedStore()
    # 10 minutes of samples every 15 s, 20 days old, and one recent sample
    values = [float(i) for i in range(40)]
    store.write([Sample("disk", {}, v, base + i * 15_000) for i, v in enumerate(values)],
                default_ts_ms=0)
    recent = _old(now, 1)
    store.write([Sample("disk", {}, 99.0, recent)], default_ts_ms=0)

    outcome = downsample(now, batch=7)  # small batches: buckets are met by several batches
    assert outcome.rolled_samples == 40
    rollups = list(Rollup.objects.order_by("ts").values_list("ts", "min", "max", "sum", "count",
                                                              "last"))
    assert rollups == [(base, 0.0, 19.0, float(sum(range(20))), 20, 19.0),
                       (base + 300_000, 20.0, 39.0, float(sum(range(20, 40))), 20, 39.0)]
    assert list(SampleRow.objects.values_list("ts", flat=True)) == [recent]
    # idempotent: a second run changes nothing
    assert downsample(now).rolled_samples == 0
    assert Rollup.objects.count() == 2
    # select serves the old part from rollups (their last value) and the rest raw
    [series] = store.select(sel("disk"), base - 1, recent)
    assert series.points == [(base, 19.0), (base + 300_000, 39.0), (recent, 99.0)]


def test_it_deletes_rollups_and_idle_series_past_the_rollup_retention(db: Any,
                                                                      settings: Any) -> None:
    settings.CAREOPS_METRICS_RAW_DAYS = 1
    settings.CAREOPS_METRICS_ROLLUP_DAYS = 30
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    store = EmbeddedStore()
    store.write([Sample("gone", {}, 1.0, _old(now, 40)), Sample("kept", {}, 2.0, _old(now, 10))],
                default_ts_ms=0)
    SeriesRow.objects.filter(name="gone").update(last_seen_at=now - dt.timedelta(days=31))
    outcome = downsample(now)
    assert outcome.rollups_deleted == 1
    assert outcome.series_deleted == 1
    assert list(Rollup.objects.values_list("series__name", "last")) == [("kept", 2.0)]
    assert not SampleRow.objects.exists()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3_600_000),
                          st.one_of(st.floats(-1e9, 1e9), st.none())), min_size=1, max_size=60))
def test_it_rolls_up_to_the_same_aggregates_as_the_raw_points(points: list[tuple[int, Any]]
                                                               ) -> None:
    buckets: dict[int, embedded._Bucket] = {}
    for ts, value in sorted(points, key=lambda p: p[0]):
        buckets.setdefault(ts - ts % 300_000, embedded._Bucket(None, None, None, 0, None)).add(
            value)
    for start, bucket in buckets.items():
        inside = [v for ts, v in sorted(points, key=lambda p: p[0])
                  if start <= ts < start + 300_000]
        finite = [v for v in inside if v is not None]
        assert bucket.count == len(finite)
        assert bucket.last == inside[-1]
        if finite:
            assert bucket.min == min(finite) and bucket.max == max(finite)
            assert bucket.sum == pytest.approx(math.fsum(finite), rel=1e-9, abs=1e-6)
