"""The VictoriaMetrics store against a real VictoriaMetrics started for the test: write,
read back through select and query_range; stopped mid-test, writes buffer; started again,
the buffer flushes and the points are there; beyond the bound, drops are counted."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from careops.logic.metrics import Matcher, Selector, Series
from careops.logic.promtext import Sample
from careops.monitoring.models import StoreStatus
from careops.monitoring.storage import StoreError, status
from careops.monitoring.storage.victoriametrics import (
    VictoriaMetricsStore,
    format_line,
    selector_text,
)
from careops.monitoring.tests.servers import VictoriaMetrics
from conftest import require_service

pytestmark = pytest.mark.slow

NOW = int(time.time() * 1000) // 1000 * 1000 - 600_000  # whole seconds, 10 min ago


@pytest.fixture
def vm(tmp_path: Path) -> Iterator[VictoriaMetrics]:
    require_service("victoriametrics")
    server = VictoriaMetrics(tmp_path).start()
    yield server
    server.stop()


def poll(read: Callable[[], list[Series]], want: int, timeout_s: float = 20.0) -> list[Series]:
    """Read until ``want`` points are visible (VictoriaMetrics makes new data searchable
    after a short delay)."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = read()
        if sum(len(s.points) for s in found) >= want or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def up(*matchers: tuple[str, str, str]) -> Selector:
    return Selector("up", tuple(Matcher(*m) for m in matchers))


def test_it_formats_lines_and_selectors_as_prometheus_text() -> None:
    assert format_line("up", {"a": 'say "hi"\\\n'}, 1.0, 5) == 'up{a="say \\"hi\\"\\\\\\n"} 1.0 5'
    assert format_line("x", {}, float("nan"), 1) == "x{} NaN 1"
    assert selector_text(up(("job", "=~", "no.*"))) == 'up{job=~"no.*"}'
    assert selector_text(Selector(None, (Matcher("job", "!=", "x"),))) == \
        '{__name__=~".+",job!="x"}'


@pytest.mark.real_clock
def test_it_writes_and_reads_back_through_select_and_query_range(
        vm: VictoriaMetrics, db: Any) -> None:
    store = VictoriaMetricsStore(vm.url)
    samples = [Sample("up", {}, 1.0, NOW + i * 15_000) for i in range(8)]
    samples += [Sample("node_load1", {"cpu": "all"}, 0.25 * i, NOW + i * 15_000)
                for i in range(8)]
    assert store.write(samples, default_ts_ms=NOW,
                       extra_labels={"job": "node", "careops_item": "7"}) == 16
    vm.force_flush()
    found = poll(lambda: store.select(up(("careops_item", "=", "7")), NOW, NOW + 200_000), 8)
    assert [(s.labels, s.points) for s in found] == [
        ({"__name__": "up", "job": "node", "careops_item": "7"},
         [(NOW + i * 15_000, 1.0) for i in range(8)])]
    # start and end are inclusive
    assert [len(s.points) for s in store.select(up(), NOW + 15_000, NOW + 45_000)] == [3]
    rate = store.query_range('sum by (job) (node_load1{job="node"}) * 2', NOW, NOW + 105_000,
                             15_000)
    assert [s.labels for s in rate] == [{"job": "node"}]
    assert [v for _, v in rate[0].points] == [0.5 * i for i in range(8)]
    assert [t for t, _ in rate[0].points] == [NOW + i * 15_000 for i in range(8)]
    assert store.health().reachable


def test_it_refuses_a_bad_expression_with_the_stores_reason(vm: VictoriaMetrics) -> None:
    store = VictoriaMetricsStore(vm.url, record_status=False)
    with pytest.raises(StoreError, match=r"answered (422|400)") as caught:
        store.query_range("sum(up", NOW, NOW + 1000, 1000)
    assert "unexpected" in str(caught.value) or "cannot parse" in str(caught.value)


@pytest.mark.real_clock
def test_it_buffers_while_the_store_is_down_and_flushes_in_order_on_recovery(
        vm: VictoriaMetrics, db: Any) -> None:
    store = VictoriaMetricsStore(vm.url, buffer_samples=1000)
    store.write([Sample("up", {}, 1.0, NOW)], default_ts_ms=NOW)
    vm.stop()
    for i in range(1, 6):
        assert store.write([Sample("up", {}, float(i), NOW + i * 1000)], default_ts_ms=NOW) == 1
    assert store.buffered == 5
    health = store.health()
    assert not health.reachable and health.buffered == 5 and health.dropped == 0
    with pytest.raises(StoreError, match="unreachable"):
        store.select(up(), NOW, NOW + 10_000)
    store.flush()  # still down: the periodic flush saves the status for the pages
    shown = status.current("victoriametrics")
    assert not shown.reachable and shown.buffered == 5 and "unreachable" in shown.last_error

    vm.start()
    store.flush()
    assert store.buffered == 0
    vm.force_flush()
    [series] = poll(lambda: store.select(up(), NOW, NOW + 10_000), 6)
    assert series.points == [(NOW + i * 1000, float(i) if i else 1.0) for i in range(6)]
    shown = status.current("victoriametrics")
    assert shown.reachable and shown.buffered == 0 and shown.last_flush_at is not None


@pytest.mark.real_clock
def test_it_drops_the_oldest_beyond_the_bound_and_counts_them(
        vm: VictoriaMetrics, db: Any) -> None:
    store = VictoriaMetricsStore(vm.url, buffer_samples=10)
    vm.stop()
    store.write([Sample("up", {}, float(i), NOW + i * 1000) for i in range(25)],
                default_ts_ms=NOW)
    assert store.buffered == 10
    assert store.dropped == 15
    assert StoreStatus.objects.get(backend="victoriametrics").dropped == 15
    vm.start()
    store.flush()
    vm.force_flush()
    [series] = poll(lambda: store.select(up(), NOW, NOW + 60_000), 10)
    # the newest ten survived
    assert [v for _, v in series.points] == [float(i) for i in range(15, 25)]
