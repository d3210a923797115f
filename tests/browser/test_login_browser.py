"""A real browser (Debian's chromium driven by Playwright) logs in with a password and
a TOTP code, sees the shell in Chinese, switches to English and back.

Screenshots go to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD, require_service

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


@pytest.fixture
def browser_page() -> Iterator[Any]:
    require_service("chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the
    # test itself are ordinary synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.console_messages = []  # type: ignore[attr-defined]
        page.on("console", lambda m: page.console_messages.append(m))  # type: ignore[attr-defined]
        yield page
        context.close()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _totp_now(device: Any) -> str:
    from django_otp.oath import totp

    # Use a fresh time step so that the code is not rejected as already used.
    while int(time.time()) % 30 > 27:
        time.sleep(0.5)
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def test_it_logs_in_with_totp_and_switches_language(
    live_server: Any, make_user: Any, browser_page: Any, transactional_db: Any
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from careops.core.choices import Role

    alice = make_user("alice", Role.HOSPITAL_ADMIN, name="王医生")
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/verify/**")
    page.fill("input[name=code]", _totp_now(device))
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=main-nav]")

    nav = page.inner_text("[data-testid=main-nav]")
    assert "首页" in nav and "工作日历" in nav and "通知渠道" in nav
    assert "Home" not in nav
    assert "王医生" in page.inner_text("[data-testid=current-user]")
    page.screenshot(path=str(ARTIFACTS / "shell-zh.png"), full_page=True)

    page.select_option("select[name=language]", "en")
    page.wait_for_function("document.documentElement.lang === 'en'")
    nav = page.inner_text("[data-testid=main-nav]")
    assert "Home" in nav and "Calendars" in nav and "首页" not in nav
    page.screenshot(path=str(ARTIFACTS / "shell-en.png"), full_page=True)

    page.select_option("select[name=language]", "zh-hans")
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    assert "首页" in page.inner_text("[data-testid=main-nav]")

    # The strict Content-Security-Policy held: nothing was refused, nothing failed.
    problems = [m.text for m in page.console_messages if m.type in ("error", "warning")]
    assert not problems, problems


def test_it_refuses_a_wrong_code_in_the_browser(
    live_server: Any, make_user: Any, browser_page: Any, transactional_db: Any
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from careops.core.choices import Role
    from careops.core.models import AuditRecord

    bob = make_user("bob", Role.SYSTEM_ADMIN)
    TOTPDevice.objects.create(user=bob, name="phone", confirmed=True)
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/verify/**")
    page.fill("input[name=code]", "000000")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login/verify/" in page.url
    assert page.locator("[data-testid=main-nav]").count() == 0
    assert AuditRecord.objects.filter(action="otp_failed", actor_username="bob").exists()
