"""The alert pipeline (careops.monitoring.actions.alerts.receive) on a small hospital under
seed contract 004: dedup, tickets, dependency folding, maintenance, flapping, recovery."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from careops.core.models import AuditRecord, Channel, Notification
from careops.monitoring.actions import alerts as pipeline
from careops.monitoring.models import Alert, AlertGroup, MaintenanceWindow
from careops.monitoring.tests.alerts_support import (  # noqa: F401 (fixtures)
    T0,
    hospital_fixture,
    signal_fixture,
)
from careops.servicedesk import actions as desk
from careops.servicedesk.clocks import clocks_for
from careops.servicedesk.models import ChangePlan, Ticket, TicketEvent

MIN = dt.timedelta(minutes=1)
Make = Callable[..., Any]


def flap_until_flapping(signal: Make, item: Any, at: dt.datetime) -> dt.datetime:
    """HostDown on ``item``, down and up again 90 s later, until it counts as flapping;
    returns the time after the last recovery."""
    for _k in range(20):
        pipeline.receive([signal("HostDown", item, at=at)], now=at)
        at += dt.timedelta(seconds=90)
        pipeline.receive([signal("HostDown", item, status="resolved", at=at)], now=at)
        at += dt.timedelta(seconds=90)
        if Alert.objects.get().flapping:
            return at
    raise AssertionError("HostDown never started flapping")


def tickets() -> list[Ticket]:
    return list(Ticket.objects.filter(channel="monitoring").order_by("id"))


def test_it_opens_a_p1_incident_at_detection_for_a_critical_alert_on_a_safety_system(
        hospital: dict[str, Any], signal: Make) -> None:
    [alert] = pipeline.receive([signal("HostDown", hospital["host"])], now=T0 + MIN)
    [ticket] = tickets()
    assert alert.group is not None and alert.group.ticket_id == ticket.pk
    assert ticket.kind == "incident" and ticket.channel == "monitoring"
    assert ticket.priority == "P1"  # seed 004: patient safety → P1
    assert ticket.opened_at == T0  # the SLA clocks start at detection, not at receipt
    assert ticket.reporter.username == "monitoring"
    assert not ticket.reporter.has_usable_password()
    assert set(ticket.items.values_list("code", flat=True)) == {"SRV-VIDEO-01"}
    assert "SURG-VIDEO" in set(ticket.systems.values_list("code", flat=True))
    clocks = {c.name: c for c in clocks_for(ticket, T0 + 5 * MIN)}
    assert clocks["respond"].state == "running"
    assert clocks["respond"].due_at == T0 + 15 * MIN  # seed 004 P1: respond in 15 min


def test_it_gives_a_warning_on_the_exam_system_the_contract_priority(
        hospital: dict[str, Any], signal: Make) -> None:
    pipeline.receive([signal("DiskFillingUp", hospital["exam_host"], severity="warning")],
                     now=T0)
    [ticket] = tickets()
    # exam serves two departments (scope: hospital); a warning is no outage and no clinical
    # impact, so none of seed 004's P1/P2 rules matches: its default, P3
    assert ticket.priority == "P3"


def test_it_refreshes_a_repeated_signal_without_writing_anything_else(
        hospital: dict[str, Any], signal: Make) -> None:
    s = signal("HostDown", hospital["host"])
    pipeline.receive([s], now=T0)
    counts = (Alert.objects.count(), AlertGroup.objects.count(), Ticket.objects.count(),
              TicketEvent.objects.count(), AuditRecord.objects.count())
    for k in range(1, 5):
        [alert] = pipeline.receive([s], now=T0 + k * dt.timedelta(seconds=15))
    assert (Alert.objects.count(), AlertGroup.objects.count(), Ticket.objects.count(),
            TicketEvent.objects.count(), AuditRecord.objects.count()) == counts
    alert.refresh_from_db()
    assert alert.last_seen_at == T0 + dt.timedelta(seconds=60)
    assert alert.starts_at == T0


def test_it_folds_the_alerts_of_what_runs_on_a_down_host_into_one_incident(
        hospital: dict[str, Any], signal: Make, english: Any) -> None:
    h, db, web = hospital["host"], hospital["database"], hospital["web"]
    host_alert, db_alert, web_alert = pipeline.receive(
        [signal("HostDown", h), signal("PostgresDown", db), signal("HttpCheckFailed", web,
                                                                   severity="major")],
        now=T0)
    [ticket] = tickets()
    db_alert.refresh_from_db()
    web_alert.refresh_from_db()
    assert db_alert.suppression == "dependency" and db_alert.suppressed_by_id == host_alert.pk
    assert web_alert.suppression == "dependency"
    assert db_alert.group_id == web_alert.group_id == host_alert.group_id
    group = AlertGroup.objects.get()
    assert group.root_item_id == h.pk
    assert "SRV-VIDEO-01" in group.root_cause and "手术视频" in group.root_cause
    assert group.root_cause.startswith("Host SRV-VIDEO-01 is unreachable; affected: 手术视频")
    assert group.root_cause in ticket.description
    assert set(ticket.items.values_list("code", flat=True)) == {"SRV-VIDEO-01", "DB-VIDEO",
                                                                "WEB-VIDEO"}


def test_it_folds_the_same_whatever_the_order_of_arrival(
        hospital: dict[str, Any], signal: Make) -> None:
    h, db = hospital["host"], hospital["database"]
    [db_alert] = pipeline.receive([signal("PostgresDown", db)], now=T0)
    [ticket] = tickets()
    assert Alert.objects.get().suppression == ""
    [host_alert] = pipeline.receive([signal("HostDown", h, at=T0 + MIN)], now=T0 + MIN)
    db_alert.refresh_from_db()
    assert db_alert.suppression == "dependency" and db_alert.suppressed_by_id == host_alert.pk
    assert tickets() == [ticket]  # the same incident, told of the new alert
    group = AlertGroup.objects.get()
    assert group.root_item_id == h.pk
    assert ticket.events.filter(kind="comment", note__contains="SRV-VIDEO-01").exists()


def test_it_does_not_fold_under_a_mere_warning_on_the_host(
        hospital: dict[str, Any], signal: Make) -> None:
    _warn, db_alert = pipeline.receive(
        [signal("HighLoad", hospital["host"], severity="warning"),
         signal("PostgresDown", hospital["database"])], now=T0)
    db_alert.refresh_from_db()
    assert db_alert.suppression == ""


def test_it_keeps_alerts_in_a_maintenance_window_without_a_ticket(
        hospital: dict[str, Any], signal: Make, alice: Any) -> None:
    window = MaintenanceWindow.objects.create(starts_at=T0 - MIN, ends_at=T0 + 60 * MIN,
                                              reason="升级", created_by=alice)
    window.items.add(hospital["host"])
    host_alert, db_alert = pipeline.receive(
        [signal("HostDown", hospital["host"]), signal("PostgresDown", hospital["database"])],
        now=T0)
    for alert in (host_alert, db_alert):
        alert.refresh_from_db()
        assert alert.suppression == "maintenance"
    assert tickets() == []
    # once the window is over, the next evaluation opens the incident
    pipeline.reevaluate(now=T0 + 61 * MIN)
    [ticket] = tickets()
    assert ticket.opened_at == T0


def test_it_mutes_the_items_of_an_approved_change_during_its_window(
        hospital: dict[str, Any], signal: Make, alice: Any) -> None:
    change = desk.open_ticket(alice, "change", "数据库升级", "", [hospital["database"]], now=T0)
    ChangePlan.objects.create(ticket=change, content="c", plan="p", window_start=T0 - MIN,
                              window_end=T0 + 30 * MIN, risk_assessment="r", backup_plan="b",
                              rollback_plan="r")
    pipeline.receive([signal("PostgresDown", hospital["database"])], now=T0)
    assert Alert.objects.get().suppression == ""  # submitted, not approved: no muting
    assert len(tickets()) == 1
    Ticket.objects.filter(pk=change.pk).update(status="scheduled")
    pipeline.receive([signal("PostgresDown", hospital["database"], at=T0 + MIN,
                             db="other")], now=T0 + MIN)
    assert Alert.objects.get(labels={"db": "other"}).suppression == "maintenance"


def test_it_suppresses_a_flapping_alert_and_says_so_once(
        hospital: dict[str, Any], signal: Make) -> None:
    Channel.objects.create(name="运维群", kind="webhook", config={"url": "http://127.0.0.1:9"})
    lone = hospital["lone"]
    at = T0

    def cycle() -> None:  # down, and up again 90 s later
        nonlocal at
        pipeline.receive([signal("HostDown", lone, at=at)], now=at)
        at += dt.timedelta(seconds=90)
        pipeline.receive([signal("HostDown", lone, status="resolved", at=at)], now=at)
        at += dt.timedelta(seconds=90)

    for _k in range(20):
        cycle()
        if Alert.objects.get().flapping:
            break
    alert = Alert.objects.get()  # one alert that kept coming back, not dozens
    assert alert.flapping
    [ticket] = tickets()  # the first fall opened it
    events = ticket.events.count()
    for _k in range(3):
        cycle()
    pipeline.receive([signal("HostDown", lone, at=at)], now=at)
    alert.refresh_from_db()
    assert alert.flapping and alert.suppression == "flapping"
    assert Notification.objects.filter(event="alert.flapping").count() == 1
    assert tickets() == [ticket]
    assert ticket.events.count() == events  # its comings and goings no longer reach it


def test_a_flapping_alert_tells_its_ticket_of_the_recovery_once_it_has_calmed_down(
        hospital: dict[str, Any], signal: Make, english: Any) -> None:
    lone = hospital["lone"]
    at = flap_until_flapping(signal, lone, T0)
    [ticket] = tickets()
    recovered = ticket.events.filter(kind="comment", note__contains="have recovered")
    before = recovered.count()  # the recoveries before it counted as flapping
    for _k in range(3):  # it goes on flapping
        pipeline.receive([signal("HostDown", lone, at=at)], now=at)
        at += dt.timedelta(seconds=90)
        pipeline.receive([signal("HostDown", lone, status="resolved", at=at)], now=at)
        at += dt.timedelta(seconds=90)
    assert Alert.objects.get().flapping and AlertGroup.objects.get().status == "closed"
    assert recovered.count() == before  # closed while flapping: nothing said
    pipeline.reevaluate(now=at + dt.timedelta(minutes=5))  # still within the window
    assert recovered.count() == before and Alert.objects.get().flapping
    calm = at + dt.timedelta(minutes=61)  # the window (60 min) holds no change any more
    pipeline.reevaluate(now=calm)
    assert not Alert.objects.get().flapping
    assert recovered.count() == before + 1
    pipeline.reevaluate(now=calm + MIN)
    assert recovered.count() == before + 1
    assert AuditRecord.objects.filter(object_type="monitoring.alert",
                                      detail_json__contains="calmed_down").count() == 1


def test_a_group_told_of_its_recovery_at_close_is_not_told_again_when_flapping_calms(
        hospital: dict[str, Any], signal: Make, english: Any) -> None:
    lone = hospital["lone"]
    at = flap_until_flapping(signal, lone, T0)
    # a steady alert joins, then both end: not every alert flapped, so the ticket is told
    pipeline.receive([signal("HostDown", lone, at=at),
                      signal("DiskFull", lone, severity="major", at=at)], now=at)
    at += dt.timedelta(minutes=2)
    pipeline.receive([signal("HostDown", lone, status="resolved", at=at),
                      signal("DiskFull", lone, severity="major", status="resolved", at=at)],
                     now=at)
    [ticket] = tickets()
    recovered = ticket.events.filter(kind="comment", note__contains="have recovered")
    told = recovered.count()
    group = Alert.objects.get(name="DiskFull").group
    assert group is not None and group.status == "closed"
    pipeline.reevaluate(now=at + dt.timedelta(minutes=61))  # HostDown calms down
    assert not Alert.objects.filter(flapping=True).exists()
    assert recovered.count() == told


def test_it_annotates_the_recovery_and_restores_when_configured(
        hospital: dict[str, Any], signal: Make, settings: Any, alice: Any) -> None:
    settings.CAREOPS_ALERT_AUTO_RESTORE = True
    s = signal("HostDown", hospital["host"])
    pipeline.receive([s], now=T0)
    [ticket] = tickets()
    desk.transition(alice, ticket, "acknowledged", now=T0 + 5 * MIN)
    pipeline.receive([signal("HostDown", hospital["host"], status="resolved",
                             at=T0 + 42 * MIN)], now=T0 + 42 * MIN)
    ticket.refresh_from_db()
    assert ticket.status == "restored"
    note = ticket.events.filter(kind="comment").last()
    assert note is not None and note.public and "42" in note.note
    assert AlertGroup.objects.get().status == "closed"


def test_it_only_annotates_the_recovery_by_default(
        hospital: dict[str, Any], signal: Make, english: Any) -> None:
    pipeline.receive([signal("HostDown", hospital["host"])], now=T0)
    later = T0 + dt.timedelta(hours=2)
    pipeline.receive([signal("HostDown", hospital["host"], status="resolved", at=later)],
                     now=later)
    [ticket] = tickets()
    assert ticket.status == "new"
    assert ticket.events.filter(kind="comment", note__contains="after 2 h 0 min").exists()


def test_it_opens_a_new_ticket_when_the_old_one_is_closed(
        hospital: dict[str, Any], signal: Make) -> None:
    pipeline.receive([signal("HostDown", hospital["lone"])], now=T0)
    pipeline.receive([signal("HostDown", hospital["lone"], status="resolved", at=T0 + MIN)],
                     now=T0 + MIN)
    Ticket.objects.update(status="closed")
    later = T0 + 3 * dt.timedelta(hours=1)
    pipeline.receive([signal("HostDown", hospital["lone"], at=later)], now=later)
    assert len(tickets()) == 2
    assert tickets()[1].opened_at == later


def test_it_joins_a_new_alert_to_the_open_incident_of_the_same_system(
        hospital: dict[str, Any], signal: Make) -> None:
    pipeline.receive([signal("HttpCheckFailed", hospital["web"], severity="major")], now=T0)
    pipeline.receive([signal("SlowQueries", hospital["database"], severity="warning")],
                     now=T0 + MIN)
    [ticket] = tickets()
    assert AlertGroup.objects.count() == 1
    assert ticket.events.filter(kind="comment", note__contains="DB-VIDEO").exists()


def test_it_keeps_an_alert_on_no_known_item(hospital: dict[str, Any], signal: Make) -> None:
    [alert] = pipeline.receive([signal("Watchdog", None, severity="info", job="x")], now=T0)
    assert alert.item is None and alert.group is not None
    assert tickets() == []  # info is under the ticket threshold (warning)


def test_it_refuses_a_bad_signal_and_writes_nothing(hospital: dict[str, Any],
                                                   signal: Make) -> None:
    good = signal("HostDown", hospital["host"])
    bad = signal("HostDown", hospital["lone"], severity="apocalyptic")
    with pytest.raises(ValidationError) as info:
        pipeline.receive([good, bad], now=T0)
    assert "signals.1.severity" in info.value.message_dict
    assert Alert.objects.count() == 0 and tickets() == []


def test_it_ignores_a_resolution_of_an_alert_it_never_saw(
        hospital: dict[str, Any], signal: Make) -> None:
    assert pipeline.receive([signal("HostDown", hospital["host"], status="resolved")],
                            now=T0) == []
    assert Alert.objects.count() == 0


def test_it_audits_the_alert_and_the_group(hospital: dict[str, Any], signal: Make) -> None:
    pipeline.receive([signal("HostDown", hospital["host"])], now=T0)
    types = set(AuditRecord.objects.values_list("object_type", flat=True))
    assert {"monitoring.alert", "monitoring.alertgroup", "servicedesk.ticket"} <= types


def test_it_creates_the_service_account_once(db: Any) -> None:
    first = pipeline.service_account()
    assert pipeline.service_account().pk == first.pk
    assert first.role == "it_engineer" and not first.has_usable_password()


def test_it_takes_a_batch_that_fires_and_resolves_the_same_alert(
        hospital: dict[str, Any], signal: Make) -> None:
    s = signal("HostDown", hospital["lone"])
    resolved = signal("HostDown", hospital["lone"], status="resolved", at=T0 + MIN)
    first, second, third = pipeline.receive([s, s, resolved], now=T0 + MIN)
    assert first.pk == second.pk == third.pk
    assert Alert.objects.get().status == "resolved"
