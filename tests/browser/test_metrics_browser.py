"""An item's metrics page in a real browser (Debian's chromium via Playwright), its data in
a real VictoriaMetrics: the charts draw under the strict Content-Security-Policy, the
range buttons reload them. Screenshot in test-artifacts/ for a person to look at."""

from __future__ import annotations

import time
from typing import Any

import pytest

from careops.monitoring.tests import servers
from careops.monitoring.tests.servers import VictoriaMetrics
from tests.browser.test_login_browser import ARTIFACTS, browser_page  # noqa: F401 (fixture)
from tests.browser.test_topology_browser import _problems, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


vm = servers.vm_backend


def test_it_draws_a_hosts_metric_charts(
        live_server: Any, browser_page: Any, alice: Any, verified_client: Any,  # noqa: F811
        transactional_db: Any, settings: Any, vm: VictoriaMetrics) -> None:
    from careops.cmdb.tests.factories import Hospital
    from careops.logic.promtext import Sample
    from careops.monitoring.storage import get_store

    settings.LANGUAGE_CODE = "en"
    host = Hospital(alice).lis_host
    now = int(time.time()) * 1000
    samples = []
    for i in range(240):  # two hours, every 30 s
        ts = now - (240 - i) * 30_000
        samples += [
            Sample("node_load1", {}, 1.0 + (i % 20) / 10, ts),
            Sample("node_memory_MemTotal_bytes", {}, 8e9, ts),
            Sample("node_memory_MemAvailable_bytes", {}, 3e9 + (i % 30) * 5e7, ts),
            Sample("node_cpu_seconds_total", {"cpu": "0", "mode": "idle"}, i * 21.0, ts),
            Sample("node_filesystem_avail_bytes", {"mountpoint": "/", "fstype": "ext4"},
                   4e10 - i * 1e7, ts),
            Sample("node_filesystem_size_bytes", {"mountpoint": "/", "fstype": "ext4"}, 1e11, ts),
            Sample("up", {}, 0.0 if 100 < i < 110 else 1.0, ts),
            Sample("scrape_duration_seconds", {}, 0.02 + (i % 7) / 100, ts),
        ]
    get_store().write(samples, default_ts_ms=now, extra_labels={
        "job": "node", "instance": "10.1.2.10:9100", "careops_item": host.code})
    vm.force_flush()
    page = browser_page
    _sign_in(page, live_server, verified_client, alice)
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/monitoring/items/{host.pk}/metrics/?range=6h")
    for key in ("cpu", "memory", "disk", "load", "success", "latency"):
        page.locator(f"[data-testid=chart-{key}] canvas").first.wait_for(timeout=20000)
    statuses = page.locator(".metrics-status").all_inner_texts()
    assert not any("could not" in s for s in statuses), statuses
    page.click("[data-testid=metrics-ranges] [data-key='1h']")
    assert page.url.endswith("?range=1h")
    page.locator("[data-testid=chart-load] canvas").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "monitoring-item-metrics.png"), full_page=True)
    assert _problems(page) == []
