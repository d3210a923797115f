"""The webhook receivers: Prometheus Alertmanager (a real one, started here) and Zabbix
(which cannot run here: its test posts the payload the documented media type sends)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from careops.core.tests.processes import free_port
from careops.monitoring.actions import receivers as tokens
from careops.monitoring.models import Alert, AlertGroup, AlertReceiver
from careops.monitoring.tests.alerts_support import (  # noqa: F401 (fixtures)
    T0,
    hospital_fixture,
    signal_fixture,
)
from careops.servicedesk.models import Ticket
from conftest import require_service

AM_URL = "/api/v1/monitoring/webhooks/alertmanager/"
ZABBIX_URL = "/api/v1/monitoring/webhooks/zabbix/"


def am_payload(*alerts: dict[str, Any]) -> dict[str, Any]:
    return {"version": "4", "groupKey": "{}:{}", "status": "firing", "receiver": "careops",
            "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
            "externalURL": "http://am", "truncatedAlerts": 0, "alerts": list(alerts)}


def am_alert(status: str = "firing", **labels: str) -> dict[str, Any]:
    return {"status": status, "labels": {"alertname": "HostDown", **labels},
            "annotations": {"summary": "节点无响应"},
            "startsAt": "2026-03-02T10:00:00.123456789+08:00",
            "endsAt": ("2026-03-02T10:20:00+08:00" if status == "resolved"
                       else "0001-01-01T00:00:00Z"),
            "generatorURL": "http://prometheus/graph", "fingerprint": "c0ffee"}


@pytest.fixture
def am_token(db: Any) -> str:
    return tokens.create_receiver(None, "alertmanager", "prometheus-am")[1]


def post(client: Any, url: str, body: Any, token: str) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}")


def test_it_turns_an_alertmanager_webhook_into_an_incident_on_the_host(
        client: Any, hospital: dict[str, Any], am_token: str) -> None:
    answer = post(client, AM_URL, am_payload(am_alert(instance="10.1.2.3:9100",
                                                      severity="critical", job="node")),
                  am_token)
    assert answer.status_code == 200, answer.content
    alert = Alert.objects.get()
    assert alert.source == "alertmanager" and alert.item_id == hospital["host"].pk
    assert alert.severity == "critical" and alert.summary == "节点无响应"
    assert alert.starts_at == dt.datetime(2026, 3, 2, 2, 0, 0, 123456, tzinfo=dt.UTC)
    ticket = Ticket.objects.get(channel="monitoring")
    assert ticket.opened_at == alert.starts_at and ticket.priority == "P1"
    assert AlertReceiver.objects.get().last_used_at is not None


def test_it_maps_alerts_by_careops_item_then_host_name(
        client: Any, hospital: dict[str, Any], am_token: str) -> None:
    post(client, AM_URL, am_payload(
        am_alert(careops_item="DB-VIDEO", instance="10.1.2.3:9187", alertname="PgDown"),
        am_alert(instance="video01.hospital.local:9100", alertname="Load"),
        am_alert(instance="http://exam01:8080/health", alertname="Probe"),
        am_alert(instance="192.0.2.77:9100", alertname="Elsewhere")), am_token)
    items = dict(Alert.objects.values_list("name", "item__code"))
    assert items == {"PgDown": "DB-VIDEO", "Load": "SRV-VIDEO-01", "Probe": "SRV-EXAM-01",
                     "Elsewhere": None}


def test_it_resolves_through_the_webhook(client: Any, hospital: dict[str, Any],
                                         am_token: str) -> None:
    post(client, AM_URL, am_payload(am_alert(instance="10.9.9.9:9100")), am_token)
    post(client, AM_URL, am_payload(am_alert("resolved", instance="10.9.9.9:9100")), am_token)
    alert = Alert.objects.get()
    assert alert.status == "resolved"
    assert alert.ends_at == dt.datetime(2026, 3, 2, 2, 20, tzinfo=dt.UTC)
    assert AlertGroup.objects.get().status == "closed"


def test_it_refuses_a_bad_payload_naming_the_field_and_writes_nothing(
        client: Any, hospital: dict[str, Any], am_token: str) -> None:
    bad = am_alert(instance="10.1.2.3:9100")
    bad["startsAt"] = "yesterday"
    answer = post(client, AM_URL, am_payload(am_alert(instance="10.9.9.9:9100"), bad),
                  am_token)
    assert answer.status_code == 400
    assert "alerts.1.startsAt" in answer.json()["error"]["fields"]
    no_name = am_alert()
    del no_name["labels"]["alertname"]
    answer = post(client, AM_URL, am_payload(no_name), am_token)
    assert "alerts.0.labels.alertname" in answer.json()["error"]["fields"]
    answer = client.post(AM_URL, data="{not json", content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {am_token}")
    assert answer.status_code == 400
    assert Alert.objects.count() == 0 and Ticket.objects.count() == 0


def test_it_refuses_a_missing_or_wrong_token(client: Any, hospital: dict[str, Any],
                                             am_token: str) -> None:
    body = am_payload(am_alert(instance="10.1.2.3:9100"))
    assert post(client, AM_URL, body, "cor_wrong").status_code == 401
    answer = client.post(AM_URL, data=json.dumps(body), content_type="application/json")
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"].startswith("Bearer")
    # an Alertmanager token is no Zabbix token
    assert post(client, ZABBIX_URL, {}, am_token).status_code == 401
    AlertReceiver.objects.update(enabled=False)
    assert post(client, AM_URL, body, am_token).status_code == 401
    assert Alert.objects.count() == 0


def test_it_stores_only_the_hash_of_a_token(db: Any) -> None:
    receiver, token = tokens.create_receiver(None, "zabbix", "zbx")
    assert token not in receiver.token_hash and len(receiver.token_hash) == 64
    new = tokens.rotate_token(None, receiver)
    assert tokens.authenticate("zabbix", f"Bearer {token}") is None
    assert tokens.authenticate("zabbix", f"Bearer {new}") is not None


# --- Zabbix ----------------------------------------------------------------------------

def zabbix_event(status: str = "PROBLEM", **extra: str) -> dict[str, str]:
    """What the media type of docs/monitoring-alerts.md posts (macros expanded); Zabbix
    itself cannot run in the tests."""
    return {"event_id": "48151", "trigger_id": "23042", "trigger": "Zabbix agent is not "
            "available", "severity": "5", "host": "video01", "host_ip": "10.1.2.3",
            "status": status, "event_time": "2026.03.02 10:00:00",
            "recovery_time": "2026.03.02 10:30:00" if status == "RESOLVED" else
            "{EVENT.RECOVERY.DATE} {EVENT.RECOVERY.TIME}", "value": "0",
            "careops_item": "{$CAREOPS_ITEM}", "url": "http://zabbix/tr_events.php", **extra}


def test_it_takes_a_zabbix_problem_and_its_recovery(client: Any, hospital: dict[str, Any],
                                                    english: Any) -> None:
    token = tokens.create_receiver(None, "zabbix", "zabbix-main")[1]
    answer = post(client, ZABBIX_URL, zabbix_event(), token)
    assert answer.status_code == 200, answer.content
    alert = Alert.objects.get()
    assert (alert.source, alert.severity, alert.item_id) == ("zabbix", "critical",
                                                             hospital["host"].pk)
    assert alert.starts_at == T0  # 10:00 in the platform's zone (Asia/Shanghai)
    assert Ticket.objects.filter(channel="monitoring").count() == 1
    post(client, ZABBIX_URL, zabbix_event("RESOLVED", event_id="48160"), token)
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.ends_at == T0 + dt.timedelta(minutes=30)
    ticket = Ticket.objects.get(channel="monitoring")
    assert ticket.events.filter(kind="comment", note__contains="after 30 min").exists()


def test_it_names_the_bad_zabbix_field(client: Any, hospital: dict[str, Any]) -> None:
    token = tokens.create_receiver(None, "zabbix", "zabbix-main")[1]
    answer = post(client, ZABBIX_URL, zabbix_event(severity="Apocalypse"), token)
    assert answer.status_code == 400 and "severity" in answer.json()["error"]["fields"]
    event = zabbix_event()
    del event["host"]
    answer = post(client, ZABBIX_URL, event, token)
    assert "host" in answer.json()["error"]["fields"]
    assert Alert.objects.count() == 0


# --- a real Alertmanager ----------------------------------------------------------------

def wait_for(check: Callable[[], Any], seconds: float = 60, what: str = "") -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def alertmanager(tmp_path: Path, live_server: Any, am_token_live: str) -> Iterator[str]:
    require_service("alertmanager")
    port = free_port()
    config = tmp_path / "alertmanager.yml"
    config.write_text(json.dumps({
        "route": {"receiver": "careops", "group_by": ["alertname", "instance"],
                  "group_wait": "0s", "group_interval": "1s", "repeat_interval": "1h"},
        "receivers": [{"name": "careops", "webhook_configs": [{
            "url": f"{live_server.url}{AM_URL}", "send_resolved": True,
            "http_config": {"authorization": {"type": "Bearer",
                                              "credentials": am_token_live}}}]}],
    }), encoding="utf-8")
    binary = shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager"
    process = subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as answer:  # noqa: S310
                return bool(answer.status == 200)
        except OSError:
            return False

    try:
        wait_for(ready, 30, "Alertmanager to start")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def am_token_live(transactional_db: Any) -> str:
    return tokens.create_receiver(None, "alertmanager", "real-am")[1]


def push(url: str, alerts: list[dict[str, Any]]) -> None:
    request = urllib.request.Request(  # noqa: S310 (our own local Alertmanager)
        f"{url}/api/v2/alerts", data=json.dumps(alerts).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
        assert answer.status == 200


@pytest.mark.real_clock
@pytest.mark.slow
def test_it_opens_and_recovers_an_incident_through_a_real_alertmanager(
        transactional_db: Any, hospital: dict[str, Any], alertmanager: str,
        english: Any) -> None:
    started = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=5)
    labels = {"alertname": "InstanceDown", "instance": "10.1.2.3:9100", "job": "node",
              "severity": "critical"}
    push(alertmanager, [{"labels": labels, "annotations": {"summary": "node down"},
                         "startsAt": started.isoformat()}])
    ticket = wait_for(lambda: Ticket.objects.filter(channel="monitoring").first(), 60,
                      "the incident")
    alert = Alert.objects.get()
    assert alert.item_id == hospital["host"].pk and alert.status == "firing"
    assert ticket.opened_at == started  # the SLA clocks start at detection
    assert set(ticket.items.values_list("code", flat=True)) == {"SRV-VIDEO-01"}
    push(alertmanager, [{"labels": labels, "annotations": {"summary": "node down"},
                         "startsAt": started.isoformat(),
                         "endsAt": dt.datetime.now(dt.UTC).isoformat()}])
    wait_for(lambda: AlertGroup.objects.filter(status="closed").exists(), 60, "the recovery")
    assert ticket.events.filter(kind="comment", note__contains="recovered").exists()
    assert Ticket.objects.filter(channel="monitoring").count() == 1
