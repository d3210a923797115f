"""The service desk in a real browser (Debian's chromium via Playwright): the queue and
a ticket page in Chinese, the SLA clocks drawn under the strict Content-Security-Policy
(no console error), a status change through the page.

Screenshots go to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from careops.servicedesk.tests.conftest import desk, seed_004  # noqa: F401 (fixtures)
from tests.browser.test_login_browser import ARTIFACTS, browser_page  # noqa: F401 (fixture)
from tests.browser.test_topology_browser import _problems, _sign_in

pytestmark = pytest.mark.browser


def test_it_shows_the_queue_and_a_ticket_with_live_clocks_in_chinese(
        live_server: Any, browser_page: Any, transactional_db: Any,  # noqa: F811
        alice: Any, bob: Any, charlie: Any, verified_client: Any,
        desk: dict[str, Any], seed_004: Any) -> None:  # noqa: F811
    from importlib import import_module

    from django.apps import apps

    from careops.servicedesk import actions
    from careops.servicedesk.models import Team

    # a transactional test before this one flushed the built-in calendars a migration made
    import_module("careops.core.migrations.0005_calendars_builtin").create(apps, None)
    seed_004()
    now = timezone.now()
    team = Team.objects.create(name="驻场组", lead=alice)
    team.members.add(bob)
    video = actions.open_ticket(charlie, "incident", "3号手术间手术视频黑屏", "术中录像中断",
                                [desk["video"]], now=now - dt.timedelta(minutes=12))
    actions.assign(alice, video, bob, team=team)
    actions.open_ticket(alice, "incident", "打印服务无响应", "", [desk["printer"]])
    actions.open_ticket(charlie, "incident", "考试系统登录慢", "", [desk["exam"]],
                        now=now - dt.timedelta(hours=3))
    page = browser_page
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400
            else None)
    _sign_in(page, live_server, verified_client, alice)
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/tickets/?tab=all")
    page.wait_for_selector("[data-testid=ticket-table]")
    assert page.locator("[data-testid=ticket-row]").count() == 3
    assert "合同" in page.inner_text("[data-testid=main-nav]")   # the shell is in Chinese
    page.screenshot(path=str(ARTIFACTS / "servicedesk-queue.png"), full_page=True)

    page.click(f"text={video.number}")
    page.wait_for_selector("[data-testid=ticket-clocks]")
    clocks = page.inner_text("[data-testid=ticket-clocks]")
    assert "响应" in clocks and "恢复" in clocks and "截止时间" in clocks, clocks
    assert page.locator("[data-testid=clock] progress").count() >= 3
    assert page.get_attribute("[data-clock=respond]", "data-state") == "running"
    page.screenshot(path=str(ARTIFACTS / "servicedesk-ticket.png"), full_page=True)

    page.fill("[data-testid=transition-form] textarea[name=note]", "已电话联系手术室")
    page.click("[data-testid=move-acknowledged]")
    page.wait_for_selector("[data-testid=ticket-status]")
    assert page.get_attribute("[data-clock=respond]", "data-state") == "met"
    assert "已电话联系手术室" in page.inner_text("[data-testid=timeline]")

    page.goto(f"{live_server.url}/contracts/seed-004-edu/")
    page.wait_for_selector("[data-testid=sla-compliance]")
    page.screenshot(path=str(ARTIFACTS / "servicedesk-contract-compliance.png"), full_page=True)
    assert not _problems(page), (_problems(page), failed)
    assert not failed, failed
