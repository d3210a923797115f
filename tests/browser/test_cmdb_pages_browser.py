"""The CMDB pages in a real browser: no CSP violations, the main flows work.

Screenshots go to test-artifacts/cmdb-*.png for a person to look at.
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import PASSWORD
from tests.browser.test_login_browser import ARTIFACTS, _totp_now, browser_page  # noqa: F401

pytestmark = pytest.mark.browser


def _login(page: Any, url: str, user: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto(f"{url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/verify/**")
    page.fill("input[name=code]", _totp_now(device))
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=main-nav]")


def test_alice_works_through_the_cmdb_pages(
        live_server: Any, make_user: Any, browser_page: Any,  # noqa: F811
        transactional_db: Any) -> None:
    from careops.cmdb.actions import items, relations
    from careops.cmdb.models import Contact, Host
    from careops.cmdb.tests.factories import Hospital
    from careops.core.choices import Role

    alice = make_user("alice", Role.HOSPITAL_ADMIN, name="王工")
    bob = make_user("bob", Role.VENDOR_ENGINEER, name="李工")
    h = Hospital(alice)
    h.vendor.engineers.add(bob)
    relations.add(alice, h.lis, "runs_on", h.lis_host)
    relations.add(alice, h.his, "runs_on", h.his_host)
    relations.add(alice, h.lis, "uses_database", h.lis_db)
    items.update(alice, h.his_host, {"status": "maintenance", "cpu_cores": 16,
                                     "memory_mb": 65536,
                                     "disks": [{"mount": "C:", "size_gb": 200}],
                                     "monitoring_endpoints": [{"job": "windows",
                                                               "target": "10.1.2.20:9182"}],
                                     "tags": ["核心", "等保三级"]})
    Contact.objects.create(vendor=h.vendor, name="张工", escalation_level=1, phone="13800000001")
    Contact.objects.create(vendor=h.vendor, name="刘经理", escalation_level=2)
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url
    _login(page, base, alice)
    page.goto(f"{base}/?language=en")

    page.click("[data-testid=main-nav] >> text=/CMDB|配置/")
    page.wait_for_selector("[data-testid=class-counts]")
    page.screenshot(path=str(ARTIFACTS / "cmdb-index.png"), full_page=True)

    page.goto(f"{base}/cmdb/hosts/?sort=-code")
    page.wait_for_selector("[data-testid=item-table]")
    page.screenshot(path=str(ARTIFACTS / "cmdb-hosts.png"), full_page=True)

    page.goto(f"{base}{h.his_host.get_absolute_url()}")
    page.wait_for_selector("[data-testid=impact]")
    assert page.locator("[data-testid=patient-safety]").is_visible()
    page.screenshot(path=str(ARTIFACTS / "cmdb-host-detail.png"), full_page=True)

    # A refused relation shows the reason under the form.
    hv = items.create(alice, Host, {"code": "HV-1", "name": "虚拟化主机", "hostname": "hv1",
                                    "os_family": "linux"})
    relations.add(alice, h.lis_host, "runs_on", hv)
    page.goto(f"{base}{hv.get_absolute_url()}")
    page.select_option("#id_direction", "out")
    page.select_option("#id_type", "runs_on")
    page.select_option("#id_other", str(h.lis_host.pk))
    page.click("[data-testid=relation-form] button[type=submit]")
    page.wait_for_selector("[data-field=type]")
    assert "HV-1 → SRV-LIS → HV-1" in page.inner_text("[data-field=type]")
    page.screenshot(path=str(ARTIFACTS / "cmdb-relation-refused.png"), full_page=True)

    page.goto(f"{base}/cmdb/items/{h.lis_host.pk}/edit/")
    page.fill("#id_addresses", "10.1.2.300")
    page.click("[data-testid=item-form] button[type=submit]")
    page.wait_for_selector("[data-field=addresses]")
    page.screenshot(path=str(ARTIFACTS / "cmdb-host-form.png"), full_page=True)

    page.goto(f"{base}/cmdb/items/{h.lis_host.pk}/delete/")
    page.wait_for_selector("[data-testid=dependents]")
    page.screenshot(path=str(ARTIFACTS / "cmdb-delete.png"), full_page=True)
    page.click("[data-testid=confirm-cascade]")
    page.wait_for_url("**/cmdb/hosts/")
    assert not Host.objects.filter(code="SRV-LIS").exists()

    page.goto(f"{base}/cmdb/vendors/{h.vendor.pk}/")
    page.wait_for_selector("[data-testid=panel-contacts]")
    page.screenshot(path=str(ARTIFACTS / "cmdb-vendor.png"), full_page=True)

    page.goto(f"{base}/cmdb/systems/")
    page.wait_for_selector("[data-testid=item-table]")
    page.screenshot(path=str(ARTIFACTS / "cmdb-systems.png"), full_page=True)

    # Refused forms answer 400 and the browser logs that; anything else is a fault.
    violations = [f"{m.text} {m.location.get('url', '')}" for m in page.console_messages
                  if m.type == "error" and "status of 400" not in m.text
                  and "favicon" not in m.location.get("url", "")]
    assert violations == []
