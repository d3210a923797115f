"""Adding a check on an item's metrics page in a real browser (Debian's chromium), in
Chinese: the help follows the chosen kind, a target without a port is refused under its
field with what was typed kept, a right one is saved, run by the real collector against a
real listening port, and shown OK. Screenshots in test-artifacts/."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.test_login_browser import ARTIFACTS, browser_page  # noqa: F401 (fixture)
from tests.browser.test_topology_browser import _problems, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def port() -> Iterator[int]:
    """A real listening TCP port (the kernel completes the handshake from the backlog)."""
    server = socket.create_server(("127.0.0.1", 0), backlog=64)
    yield int(server.getsockname()[1])
    server.close()


def test_an_engineer_adds_a_tcp_check_in_chinese_and_sees_it_run(
        live_server: Any, browser_page: Any, alice: Any, verified_client: Any,  # noqa: F811
        transactional_db: Any, port: int) -> None:
    from careops.cmdb.tests.factories import Hospital
    from careops.monitoring.models import Check
    from careops.monitoring.scheduler import Collector
    from careops.monitoring.storage.embedded import EmbeddedStore

    host = Hospital(alice).lis_host
    page = browser_page
    _sign_in(page, live_server, verified_client, alice)
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/monitoring/items/{host.pk}/metrics/")
    page.click("[data-testid=check-create]")
    page.select_option("#id_kind", "tcp")
    assert page.locator(".check-kind-help[data-kind=tcp]").is_visible()
    assert not page.locator(".check-kind-help[data-kind=ssh]").is_visible()
    page.fill("#id_name", "LIS 接口端口")
    page.fill("#id_target", "127.0.0.1")  # no port
    page.fill("#id_timeout_s", "3")
    page.click("[data-testid=check-save]")
    error = page.locator("#id_target ~ .invalid-feedback")
    error.wait_for()
    assert "端口" in error.inner_text()  # why, in Chinese, under the field
    assert page.input_value("#id_name") == "LIS 接口端口"
    page.screenshot(path=str(ARTIFACTS / "monitoring-check-form-error.png"), full_page=True)
    assert not Check.objects.exists()

    page.fill("#id_target", f"127.0.0.1:{port}")
    page.click("[data-testid=check-save]")
    page.wait_for_url(f"**/monitoring/items/{host.pk}/metrics/#checks")
    check = Check.objects.get(item=host)
    assert "LIS 接口端口" in page.locator(f"[data-testid=check-{check.pk}]").inner_text()
    # the live server and this thread share one in-memory SQLite database, which refuses
    # a write while a request reads: let the charts' requests finish before collecting
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/monitoring/checks/", wait_until="networkidle")
    collector = Collector(workers=2, store=EmbeddedStore())
    try:
        collector.run_once()
    finally:
        collector.close()
    page.goto(f"{live_server.url}/monitoring/checks/?status=ok")
    row = page.locator(f"[data-testid=check-{check.pk}]")
    assert "LIS 接口端口" in row.inner_text() and "正常" in row.inner_text()
    page.click(f"[data-testid=check-run-{check.pk}]")
    page.locator(".alert-success", has_text="几秒内执行").wait_for()
    page.screenshot(path=str(ARTIFACTS / "monitoring-check-list.png"), full_page=True)
    # the refused save answers 400 by design (as every form page here): that one only
    refused = f"status of 400 (Bad Request) {live_server.url}/monitoring/items/{host.pk}/"
    assert [p for p in _problems(page) if refused not in p] == []
