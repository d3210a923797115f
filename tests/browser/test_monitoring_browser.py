"""The monitoring pages in a real browser (Debian's chromium via Playwright), in Chinese, as
a hospital IT engineer uses them: the health overview after an alert came through the
pipeline (and its htmx refresh), the alert list and group with the incident it opened, a
maintenance window made through the form (and one refused), a shipped rule edited with its
7-day preview drawn by ECharts, a bad PromQL expression refused on the form. No console
error or warning under the strict Content-Security-Policy, no English on the pages.

Screenshots go to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone

from careops.monitoring.tests.alerts_support import (  # noqa: F401 (fixtures)
    hospital_fixture,
    signal_fixture,
)
from conftest import require_service
from tests.browser.test_login_browser import ARTIFACTS, CHROMIUM_ARGS
from tests.browser.test_topology_browser import _problems, _sign_in

pytestmark = pytest.mark.browser

# Latin words a Chinese page may show: names, codes, and terms engineers write in English.
ALLOWED = {"Alice", "Monitoring", "PromQL", "JSON", "HostDown", "SURG", "VIDEO", "EXAM",
           "STD", "SRV", "LONE", "WEB", "CareOps", "Alertmanager", "Zabbix", "Prometheus",
           "UPS", "alice", "CPU", "HTTP", "MLLP", "MySQL", "Ping", "PostgreSQL", "TCP", "TLS",
           "ACK", "inode", "systemd"}


# What the page shows, less what is not prose: codes and expressions (monospace), form
# values, {placeholders} and "JSON keys" of help texts, ticket numbers and addresses.
VISIBLE_PROSE = """() => {
  const root = document.querySelector(".page-wrapper").cloneNode(true);
  root.querySelectorAll("code, pre, textarea, input, .font-monospace, .font-monospace-sm, "
                        + "select:not([multiple]) option:not(:checked), script, style")
      .forEach((el) => el.remove());
  document.body.appendChild(root);
  const text = root.innerText;
  root.remove();
  return text;
}"""


def _english(page: Any) -> list[str]:
    """Words of three or more Latin letters the page shows as prose, other than the
    allowed names and codes: each is text someone forgot to translate."""
    text = page.evaluate(VISIBLE_PROSE)
    text = re.sub(r'\{[^{}]*\}|"[^"]*"|INC-\S+|\d+\.\d+\.\d+\.\d+(:\d+)?', " ", text)
    return sorted({w for w in re.findall(r"[A-Za-z_]{3,}", text)} - ALLOWED)


@pytest.fixture
def zh_page() -> Iterator[Any]:
    """A chromium page as the engineer's: Chinese first in Accept-Language, Shanghai time
    (what the datetime-local inputs mean); console messages captured."""
    require_service("chromium")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900},
                                      locale="zh-CN", timezone_id="Asia/Shanghai")
        page = context.new_page()
        page.console_messages = []
        page.on("console", lambda m: page.console_messages.append(m))
        yield page
        context.close()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _write_memory(host_code: str) -> None:
    """Five hours of a host's memory, one sample a minute, with 40 minutes at 20 % available
    four hours ago, into the embedded store (the live server's database)."""
    from careops.logic.promtext import Sample
    from careops.monitoring.storage import get_store

    now = int(time.time()) * 1000
    now -= now % 60_000
    samples = []
    for i in range(300):
        ts = now - (300 - i) * 60_000
        samples += [Sample("node_memory_MemTotal_bytes", {}, 1e10, ts),
                    Sample("node_memory_MemAvailable_bytes", {},
                           2e9 if 60 <= i < 100 else 6e9, ts)]
    store = get_store()
    store.write(samples, default_ts_ms=now, extra_labels={
        "job": "node", "instance": "10.1.2.3:9100", "careops_item": host_code})
    store.flush()


def _shot(page: Any, name: str, english: dict[str, list[str]]) -> None:
    """A screenshot of the page, and the English words it shows (none expected)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"monitoring-{name}.png"), full_page=True)
    if words := _english(page):
        english[name] = words


def test_an_it_engineer_works_the_monitoring_pages_in_chinese(
        live_server: Any, zh_page: Any, transactional_db: Any,
        alice: Any, verified_client: Any, settings: Any,
        hospital: dict[str, Any], signal: Callable[..., Any]) -> None:
    from careops.monitoring.actions import alerts as pipeline
    from careops.monitoring.actions import rules as rule_actions
    from careops.monitoring.models import AlertGroup, Check, MaintenanceWindow, Rule

    settings.LANGUAGE_CODE = "zh-hans"
    now = timezone.now()
    Check.objects.create(item=hospital["exam_host"], kind="ping", target="10.1.2.4",
                         last_status="ok")
    pipeline.receive([signal("HostDown", hospital["host"], at=now - dt.timedelta(minutes=7))],
                     now=now)
    group = AlertGroup.objects.get()
    assert group.ticket is not None
    rule_actions.load_default_rules(language="zh-hans")
    _write_memory(hospital["host"].code)
    page = zh_page
    english: dict[str, list[str]] = {}
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}")
            if r.status >= 400 and "/monitoring/" not in r.url else None)
    _sign_in(page, live_server, verified_client, alice)
    base = f"{live_server.url}/monitoring"

    # The overview: the video system is red (its host is down), the exam system green.
    page.goto(f"{base}/")
    video = page.locator("[data-testid=system-SURG-VIDEO]")
    assert video.get_attribute("data-health") == "critical"
    assert "bg-red" in (video.locator(".card-status-top").get_attribute("class") or "")
    assert page.get_attribute("[data-testid=system-EXAM-STD]", "data-health") == "ok"
    assert "严重" in video.inner_text() and group.ticket.number in video.inner_text()
    # the htmx refresh (every 15 s) swaps the cards in place, without an error
    with page.expect_response(lambda r: r.url.rstrip("/").endswith("/monitoring")
                              and r.request.headers.get("hx-request") == "true",
                              timeout=20000) as refreshed:
        pass
    assert refreshed.value.status == 200
    page.locator("[data-testid=system-SURG-VIDEO]").wait_for()
    assert page.locator("[data-testid=health-cards]").count() == 1
    _shot(page, "overview", english)

    # The alert list shows the firing alert, its group page the incident it opened.
    page.goto(f"{base}/alerts/")
    row = page.locator("[data-testid=alert-row]")
    assert row.count() == 1 and "SRV-VIDEO-01" in row.inner_text()
    assert page.inner_text("[data-testid=firing-count]") == "1"
    _shot(page, "alerts", english)
    row.locator(f"a[href$='/alerts/groups/{group.pk}/']").click()
    page.wait_for_selector("[data-testid=group-ticket]")
    assert page.inner_text("[data-testid=group-ticket]") == group.ticket.number
    _shot(page, "alert-group", english)
    page.click("[data-testid=group-ticket]")
    page.wait_for_url(f"**{group.ticket.get_absolute_url()}")

    # A maintenance window through the form; one that ends before it starts is refused.
    page.goto(f"{base}/maintenance/")
    page.click("[data-testid=new-window]")
    page.wait_for_selector("[data-testid=window-form]")
    page.select_option("select[name=items]", [str(hospital["lone"].pk),
                                              str(hospital["exam_host"].pk)])
    page.fill("input[name=starts_at]", "2026-12-05T20:00")
    page.fill("input[name=ends_at]", "2026-12-05T19:00")
    page.fill("input[name=reason]", "机房 UPS 检修")
    _shot(page, "maintenance-form", english)
    page.click("[data-testid=window-form] button[type=submit]")
    page.wait_for_selector("[data-testid=window-form] .invalid-feedback")
    error = page.inner_text("[data-testid=window-form] .invalid-feedback")
    assert re.search(r"[\u4e00-\u9fff]", error), error
    assert MaintenanceWindow.objects.count() == 0
    _shot(page, "maintenance-form-error", english)
    page.fill("input[name=ends_at]", "2026-12-05T23:30")
    page.click("[data-testid=window-form] button[type=submit]")
    page.wait_for_selector("[data-testid=window-table]")
    window = MaintenanceWindow.objects.get()
    assert {i.code for i in window.items.all()} == {"SRV-LONE", "SRV-EXAM-01"}
    listed = page.inner_text("[data-testid=window-row]")
    assert "机房 UPS 检修" in listed and "2026-12-05 20:00" in listed
    assert "2026-12-05 23:30" in listed
    _shot(page, "maintenance-list", english)

    # A shipped rule: raise its threshold, replay it over 7 days (an ECharts timeline), save.
    rule = Rule.objects.get(code="memory-low")
    page.goto(f"{base}/rules/")
    page.locator("[data-testid=rule-host-down]").wait_for()
    _shot(page, "rules", english)
    page.click(f"[data-testid=rule-memory-low] a[href$='/rules/{rule.pk}/']")
    page.wait_for_selector("[data-testid=rule-form]")
    page.wait_for_load_state()  # htmx (a deferred script) is on the button
    assert page.input_value("input[name=threshold]") == "10.0"
    page.fill("input[name=threshold]", "30")
    page.click("[data-testid=rule-preview]")

    page.locator("#rule-preview-chart canvas").first.wait_for(timeout=10000)
    preview = page.inner_text("[data-testid=rule-preview-result]")
    assert "SRV-VIDEO-01" in preview and "20" in preview, preview
    assert page.locator("[data-testid=rule-preview-table] tbody tr").count() == 1
    _shot(page, "rule-preview", english)
    page.click("[data-testid=rule-form] button[type=submit]")
    page.wait_for_selector("[data-testid=rule-table]")
    rule.refresh_from_db()
    assert rule.threshold == 30

    # An invalid expression: the form shows where it fails, nothing is saved.
    page.goto(f"{base}/rules/{rule.pk}/")
    page.fill("textarea[name=expr]", "100 * node_memory_MemAvailable_bytes /")
    page.click("[data-testid=rule-form] button[type=submit]")
    page.wait_for_selector("[data-testid=rule-form] .invalid-feedback")
    message = page.inner_text("[data-testid=rule-form] .invalid-feedback")
    assert "第 39 个字符" in message and re.search(r"[\u4e00-\u9fff]", message), message
    rule.refresh_from_db()
    assert rule.expr.endswith("node_memory_MemTotal_bytes")
    _shot(page, "rule-invalid", english)
    assert english == {}, english
    # The two refused forms answer 400 (the project's convention for a form with errors),
    # which chromium notes in the console; nothing else may be there.
    refused = [p for p in _problems(page) if "status of 400" in p]
    assert [p.rsplit("/monitoring/", 1)[1] for p in refused] == [
        "maintenance/new/", f"rules/{rule.pk}/"], refused
    assert [p for p in _problems(page) if p not in refused] == []
    assert not failed, failed
