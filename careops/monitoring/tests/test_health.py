"""Live health from monitoring: the CMDB's topology/location colours and the per-system
overview page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from careops.cmdb import health
from careops.monitoring.actions import alerts as pipeline
from careops.monitoring.health import item_health
from careops.monitoring.models import Check, MaintenanceWindow
from careops.monitoring.tests.alerts_support import (  # noqa: F401 (fixtures)
    T0,
    hospital_fixture,
    signal_fixture,
)

Make = Callable[..., Any]


def test_it_colours_items_by_their_firing_alerts_and_checks(
        hospital: dict[str, Any], signal: Make) -> None:
    host, database, exam_host = hospital["host"], hospital["database"], hospital["exam_host"]
    lone = hospital["lone"]
    Check.objects.create(item=exam_host, kind="ping", target="10.1.2.4", last_status="ok")
    Check.objects.create(item=lone, kind="ping", target="10.9.9.9", last_status="timeout")
    ids = [host.pk, database.pk, exam_host.pk, lone.pk]
    assert item_health(ids) == {exam_host.pk: "ok", lone.pk: "warning"}
    pipeline.receive([signal("HostDown", host),
                      signal("SlowQueries", database, severity="warning")], now=T0)
    states = health.health_of(ids)  # through the provider monitoring installed
    assert states == {host.pk: "critical", database.pk: "warning", exam_host.pk: "ok",
                      lone.pk: "warning"}
    pipeline.receive([signal("HostDown", host, status="resolved",
                             at=T0 + dt.timedelta(minutes=3))],
                     now=T0 + dt.timedelta(minutes=3))
    assert host.pk not in item_health(ids)


def test_planned_work_does_not_colour_an_item(
        hospital: dict[str, Any], signal: Make, alice: Any) -> None:
    window = MaintenanceWindow.objects.create(
        starts_at=T0 - dt.timedelta(hours=1), ends_at=T0 + dt.timedelta(hours=1),
        reason="升级", created_by=alice)
    window.items.add(hospital["exam_host"])
    pipeline.receive([signal("HostDown", hospital["exam_host"])], now=T0)
    assert item_health([hospital["exam_host"].pk]) == {}


@pytest.mark.usefixtures("english")
def test_the_overview_puts_the_sick_system_first_with_its_alerts_and_incident(
        verified_client: Any, alice: Any, charlie: Any, hospital: dict[str, Any],
        signal: Make) -> None:
    pipeline.receive([signal("HostDown", hospital["host"])], now=T0)
    page = verified_client(alice).get("/monitoring/")
    assert page.status_code == 200
    cards = page.context["cards"]
    assert [c["system"].code for c in cards] == ["SURG-VIDEO", "EXAM-STD"]
    assert [c["state"] for c in cards] == ["critical", "unknown"]
    video = cards[0]
    assert [a.name for a in video["alerts"]] == ["HostDown"] and len(video["tickets"]) == 1
    html = page.content.decode()
    assert 'data-testid="system-SURG-VIDEO" data-health="critical"' in html
    assert video["tickets"][0].number in html
    assert "/monitoring/alerts/?system=SURG-VIDEO" in html
    listed = verified_client(alice).get("/monitoring/alerts/?system=SURG-VIDEO")
    assert [row["alert"].name for row in listed.context["rows"]] == ["HostDown"]
    # a department user sees only his department's systems (charlie has none)
    assert verified_client(charlie).get("/monitoring/").context["cards"] == []
