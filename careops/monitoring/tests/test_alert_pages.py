"""The live alert list, alert groups, maintenance windows: pages and API, scoped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from careops.core.models import AuditRecord
from careops.monitoring.actions import alerts as pipeline
from careops.monitoring.models import Alert, AlertGroup, MaintenanceWindow
from careops.monitoring.tests.alerts_support import (  # noqa: F401 (fixtures)
    T0,
    hospital_fixture,
    signal_fixture,
)

Make = Callable[..., Any]


def some_alerts(hospital: dict[str, Any], signal: Make) -> None:
    pipeline.receive([signal("HostDown", hospital["lone"]),
                      signal("SlowQueries", hospital["database"], severity="warning"),
                      signal("HighLoad", hospital["exam_host"], severity="major")], now=T0)
    pipeline.receive([signal("HighLoad", hospital["exam_host"], severity="major",
                             status="resolved", at=T0 + dt.timedelta(minutes=5))],
                     now=T0 + dt.timedelta(minutes=5))


def test_it_lists_firing_alerts_first_most_severe_first(
        verified_client: Any, alice: Any, hospital: dict[str, Any], signal: Make,
        english: Any) -> None:
    some_alerts(hospital, signal)
    page = verified_client(alice).get("/monitoring/alerts/?status=all")
    assert page.status_code == 200
    names = [row["alert"].name for row in page.context["rows"]]
    assert names == ["HostDown", "SlowQueries", "HighLoad"]  # the resolved one last
    html = page.content.decode()
    assert 'hx-trigger="every 10s"' in html and "bg-red" in html
    assert "Monitoring alerts" in html  # the main navigation has the entry
    assert page.context["firing"] == 2


def test_it_shows_only_firing_by_default_and_filters(
        verified_client: Any, alice: Any, hospital: dict[str, Any], signal: Make) -> None:
    some_alerts(hospital, signal)
    client = verified_client(alice)
    rows = client.get("/monitoring/alerts/").context["rows"]
    assert {r["alert"].name for r in rows} == {"HostDown", "SlowQueries"}
    rows = client.get("/monitoring/alerts/?severity=warning").context["rows"]
    assert [r["alert"].name for r in rows] == ["SlowQueries"]
    rows = client.get("/monitoring/alerts/?item=LONE").context["rows"]
    assert [r["alert"].name for r in rows] == ["HostDown"]


def test_it_refreshes_only_the_table_for_htmx(
        verified_client: Any, alice: Any, hospital: dict[str, Any], signal: Make) -> None:
    some_alerts(hospital, signal)
    part = verified_client(alice).get("/monitoring/alerts/", HTTP_HX_REQUEST="true")
    html = part.content.decode()
    assert html.lstrip().startswith("<div class=\"card\" id=\"alert-table\"")
    assert "<html" not in html


def test_it_shows_a_vendor_only_the_alerts_of_its_systems(
        verified_client: Any, bob: Any, charlie: Any, hospital: dict[str, Any],
        signal: Make) -> None:
    some_alerts(hospital, signal)
    rows = verified_client(bob).get("/monitoring/alerts/?status=all").context["rows"]
    assert {r["alert"].item.code for r in rows} == {"DB-VIDEO", "SRV-EXAM-01"}
    answer = verified_client(bob).get("/api/v1/monitoring/alerts/")
    assert {a["item"] for a in answer.json()["results"]} == {"DB-VIDEO", "SRV-EXAM-01"}
    hidden = Alert.objects.get(item=hospital["lone"]).group_id
    assert verified_client(bob).get(f"/monitoring/alerts/groups/{hidden}/").status_code == 404
    assert verified_client(charlie).get("/api/v1/monitoring/alerts/").json()["count"] == 0


def test_it_shows_the_group_with_its_root_cause_and_ticket(
        verified_client: Any, alice: Any, hospital: dict[str, Any], signal: Make) -> None:
    pipeline.receive([signal("HostDown", hospital["host"]),
                      signal("PostgresDown", hospital["database"])], now=T0)
    group = AlertGroup.objects.get()
    page = verified_client(alice).get(f"/monitoring/alerts/groups/{group.pk}/")
    html = page.content.decode()
    assert group.root_cause in html and group.ticket is not None
    assert group.ticket.number in html
    assert len(page.context["rows"]) == 2


def test_it_lists_and_filters_alerts_through_the_api(
        verified_client: Any, alice: Any, hospital: dict[str, Any], signal: Make) -> None:
    some_alerts(hospital, signal)
    client = verified_client(alice)
    data = client.get("/api/v1/monitoring/alerts/?status=firing&severity=critical").json()
    [alert] = data["results"]
    assert alert["name"] == "HostDown" and alert["item"] == "SRV-LONE"
    assert alert["ticket"].startswith("INC-")
    bad = client.get("/api/v1/monitoring/alerts/?severity=apocalyptic")
    assert bad.status_code == 400 and "severity" in bad.json()["error"]["fields"]


def test_it_lets_an_admin_create_a_maintenance_window_on_the_page(
        verified_client: Any, alice: Any, hospital: dict[str, Any]) -> None:
    client = verified_client(alice)
    assert client.get("/monitoring/maintenance/new/").status_code == 200
    answer = client.post("/monitoring/maintenance/new/", {
        "items": [hospital["host"].pk], "starts_at": "2026-03-02 20:00",
        "ends_at": "2026-03-02 22:00", "reason": "内核升级"})
    assert answer.status_code == 302
    window = MaintenanceWindow.objects.get()
    assert list(window.items.all()) == [hospital["host"].configitem_ptr]
    assert window.created_by == alice
    assert AuditRecord.objects.filter(object_type="monitoring.maintenancewindow").exists()
    page = client.get("/monitoring/maintenance/")
    assert "内核升级" in page.content.decode()


def test_it_refuses_a_window_that_ends_before_it_starts(
        verified_client: Any, alice: Any, hospital: dict[str, Any]) -> None:
    answer = verified_client(alice).post("/monitoring/maintenance/new/", {
        "items": [hospital["host"].pk], "starts_at": "2026-03-02 20:00",
        "ends_at": "2026-03-02 19:00", "reason": "x"})
    assert answer.status_code == 400
    assert answer.context["form"].errors["ends_at"]
    assert MaintenanceWindow.objects.count() == 0


def test_it_keeps_vendors_from_managing_windows(
        verified_client: Any, bob: Any, hospital: dict[str, Any]) -> None:
    client = verified_client(bob)
    assert client.get("/monitoring/maintenance/new/").status_code == 403
    answer = client.post("/api/v1/monitoring/maintenance-windows/", {
        "items": ["SRV-VIDEO-01"], "starts_at": "2026-03-02T20:00:00+08:00",
        "ends_at": "2026-03-02T22:00:00+08:00", "reason": "x"}, content_type="application/json")
    assert answer.status_code == 403
    assert client.get("/monitoring/maintenance/").status_code == 200


def test_it_creates_and_lists_windows_through_the_api(
        verified_client: Any, alice: Any, hospital: dict[str, Any]) -> None:
    client = verified_client(alice)
    url = "/api/v1/monitoring/maintenance-windows/"
    answer = client.post(url, {"items": ["SRV-VIDEO-01"],
                               "starts_at": "2026-03-02T20:00:00+08:00",
                               "ends_at": "2026-03-02T22:00:00+08:00", "reason": "升级"},
                         content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["created_by"] == "alice"
    bad = client.post(url, {"items": ["NOPE"], "starts_at": "2026-03-02T20:00:00+08:00",
                            "ends_at": "2026-03-02T22:00:00+08:00", "reason": "x"},
                      content_type="application/json")
    assert bad.status_code == 400 and "items" in bad.json()["error"]["fields"]
    assert [w["reason"] for w in client.get(url).json()["results"]] == ["升级"]


def test_it_ends_a_running_window(verified_client: Any, alice: Any,
                                  hospital: dict[str, Any]) -> None:
    from django.utils import timezone

    now = timezone.now()
    window = MaintenanceWindow.objects.create(starts_at=now - dt.timedelta(hours=1),
                                              ends_at=now + dt.timedelta(hours=1), reason="x")
    window.items.add(hospital["host"])
    answer = verified_client(alice).post(f"/monitoring/maintenance/{window.pk}/end/")
    assert answer.status_code == 302
    window.refresh_from_db()
    assert window.ends_at <= timezone.now()
