"""The topology and location pages in a real browser (Debian's chromium via Playwright):
the graph draws under the strict Content-Security-Policy, search focuses an item, the
side panel shows it and its impact, and a 600-item graph stays usable.

Screenshots go to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings

from tests.browser.test_login_browser import ARTIFACTS, browser_page  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def _sign_in(page: Any, live_server: Any, verified_client: Any, user: Any) -> None:
    client = verified_client(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])


def _wait_text(page: Any, selector: str, text: str, timeout: float = 10000) -> None:
    # Not wait_for_function: evaluating a string would need 'unsafe-eval', which the CSP
    # rightly refuses.
    page.locator(selector, has_text=text).wait_for(timeout=timeout)


def _problems(page: Any) -> list[str]:
    """Console errors and warnings: CSP refusals, script errors, failed loads (the
    browser's own favicon request aside: the shell declares no icon)."""
    return [f"{m.text} {m.location.get('url', '')}" for m in page.console_messages
            if m.type in ("error", "warning")
            and not m.location.get("url", "").endswith("/favicon.ico")]


def test_it_draws_the_graph_and_explains_an_items_impact(
        live_server: Any, browser_page: Any, alice: Any, verified_client: Any,  # noqa: F811
        transactional_db: Any, settings: Any) -> None:
    from careops.cmdb.actions import relations
    from careops.cmdb.tests.factories import Hospital

    settings.LANGUAGE_CODE = "en"
    hospital = Hospital(alice)
    relations.add(alice, hospital.lis, "runs_on", hospital.lis_host)
    page = browser_page
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    _sign_in(page, live_server, verified_client, alice)
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/cmdb/topology/")
    _wait_text(page, "[data-testid=topology-status]", "relations")
    assert "6 items" in page.inner_text("[data-testid=topology-status]")
    assert page.locator("[data-testid=topology-chart] canvas").count() >= 1

    page.fill("[data-testid=topology-search]", "SRV-LIS")
    page.press("[data-testid=topology-search]", "Enter")
    page.wait_for_selector("#topology-panel-item:not([hidden])")
    assert page.inner_text("[data-testid=topology-panel-name]") == "LIS 应用服务器"
    page.click("[data-testid=topology-impact]")
    _wait_text(page, "[data-testid=topology-impact-result]", "affected")
    result = page.inner_text("[data-testid=topology-impact-result]")
    assert "2 items affected" in result and "Worst criticality: 2" in result
    assert "检验信息系统" in page.inner_text("#topology-impact-systems")
    time.sleep(1.5)  # let the force layout settle for the screenshot
    page.screenshot(path=str(ARTIFACTS / "cmdb-topology.png"), full_page=True)

    # The zone filter reloads the data without leaving the page.
    page.select_option("#topology-zone", "dmz")
    _wait_text(page, "[data-testid=topology-status]", "Nothing to show")
    assert "zone=dmz" in page.url

    page.goto(f"{live_server.url}/cmdb/locations/")
    page.wait_for_selector("[data-testid=location-room]")
    assert "LIS 应用服务器" in page.inner_text("#room-DC-1")
    page.click("#room-DC-1 a.fw-bold")
    page.wait_for_selector("[data-testid=room-items]")
    page.screenshot(path=str(ARTIFACTS / "cmdb-location-room.png"), full_page=True)
    assert not _problems(page), (_problems(page), failed)


def test_a_600_item_graph_stays_usable(
        live_server: Any, browser_page: Any, alice: Any, verified_client: Any,  # noqa: F811
        transactional_db: Any, settings: Any) -> None:
    from bench import cmdb_impact

    settings.LANGUAGE_CODE = "en"
    cmdb_impact.load_into_database(cmdb_impact.generate(items=600, relations=2400, seed=5))
    page = browser_page
    _sign_in(page, live_server, verified_client, alice)
    started = time.monotonic()
    page.goto(f"{live_server.url}/cmdb/topology/?rooms=1")
    _wait_text(page, "[data-testid=topology-status]", "relations", timeout=20000)
    drawn = time.monotonic() - started
    status = page.inner_text("[data-testid=topology-status]")
    assert "576 items" in status, status  # 600 less the 24 backup jobs, not drawn
    assert drawn < 10, drawn
    # The page still answers while the layout runs: a search focuses an item at once.
    page.fill("[data-testid=topology-search]", "SYS-00003")
    page.press("[data-testid=topology-search]", "Enter")
    page.wait_for_selector("#topology-panel-item:not([hidden])", timeout=5000)
    assert page.inner_text("#topology-panel-code") == "SYS-00003"
    time.sleep(4)
    page.screenshot(path=str(ARTIFACTS / "cmdb-topology-600.png"))
    page.goto(f"{live_server.url}/cmdb/locations/")
    page.wait_for_selector("[data-testid=location-room]")
    page.screenshot(path=str(ARTIFACTS / "cmdb-locations-600.png"))
    assert not _problems(page), _problems(page)
