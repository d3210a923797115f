"""Hand-made checks through the API and the pages: add one to an item, refused by field
when the target or a parameter is wrong (nothing written), limited fields on a managed
check, run now, delete, who may see and change what — and a check added through the form
that the real collector then runs against a real listening port."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from careops.cmdb.actions import items, relations
from careops.cmdb.tests.factories import Hospital
from careops.core import secrets
from careops.core.models import AuditRecord
from careops.monitoring.models import Check
from careops.monitoring.scheduler import Collector
from careops.monitoring.storage.embedded import EmbeddedStore

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

API = "/api/v1/monitoring/checks/"


@pytest.fixture
def hospital(alice: Any, bob: Any) -> Hospital:
    h = Hospital(alice)
    relations.add(alice, h.lis, "runs_on", h.lis_host)
    items.update(alice, h.vendor, {}, m2m={"engineers": [bob]})  # bob: LIS only
    return h



@pytest.fixture
def listener() -> Iterator[str]:
    """A real TCP port that accepts connections (and closes them)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(2)
    server.close()


def managed_check(alice: Any, hospital: Hospital) -> Check:
    """The scrape check the LIS host's node_exporter endpoint brings."""
    items.update(alice, hospital.lis_host,
                 {"monitoring_endpoints": [{"job": "node", "target": "10.1.2.10:9100"}]})
    return Check.objects.get(item=hospital.lis_host, managed=True)


def errors(response: Any) -> dict[str, Any]:
    assert response.status_code == 400, response.content
    fields: dict[str, Any] = response.json()["error"]["fields"]
    return fields


def test_the_api_adds_changes_runs_and_deletes_a_check_and_audits_each(
        hospital: Hospital, alice: Any, api: Callable[[Any], APIClient]) -> None:
    client = api(alice)
    made = client.post(API, {"item": "SRV-LIS", "kind": "ping", "target": "10.1.2.10",
                             "params": {"count": 2}, "interval_s": 30, "timeout_s": 5},
                       format="json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["item_code"], body["kind"], body["managed"], body["zone"]) == (
        "SRV-LIS", "ping", False, "internal")  # the host's zone
    pk = body["id"]
    changed = client.patch(f"{API}{pk}/", {"params": {"count": 5}}, format="json")
    assert changed.status_code == 200, changed.content
    assert Check.objects.get(pk=pk).params == {"count": 5}
    Check.objects.filter(pk=pk).update(next_run_at=timezone.now() + dt.timedelta(hours=1))
    ran = client.post(f"{API}{pk}/run/")
    assert ran.status_code == 200
    assert Check.objects.get(pk=pk).next_run_at <= timezone.now()
    assert client.patch(f"{API}{pk}/", {"enabled": False}, format="json").status_code == 200
    assert "enabled" in errors(client.post(f"{API}{pk}/run/"))  # a disabled check runs not
    assert client.delete(f"{API}{pk}/").status_code == 204
    assert not Check.objects.filter(pk=pk).exists()
    trail = list(AuditRecord.objects.filter(object_type="monitoring.check", object_id=str(pk))
                 .order_by("pk").values_list("action", flat=True))
    assert trail == ["create", "update", "update", "update", "delete"]


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"kind": "tcp", "target": "10.1.2.10"}, "target", "port"),
    ({"kind": "http", "target": "ftp://10.1.2.10/"}, "target", "http"),
    ({"kind": "ping", "target": "10.1.2.10", "params": {"count": 99}}, "params", "count"),
    ({"kind": "ping", "target": "10.1.2.10", "params": {"cuont": 3}}, "params", "cuont"),
    ({"kind": "dns", "target": "10.1.0.53", "params": {}}, "params", "name"),
    ({"kind": "ping", "target": "10.1.2.10", "params": [1]}, "params", "object"),
    ({"kind": "ping", "target": "10.1.2.10", "interval_s": 1}, "interval_s", "interval"),
    ({"kind": "ping", "target": "10.1.2.10", "interval_s": 30, "timeout_s": 60}, "timeout_s",
     "interval"),
    ({"kind": "telnet", "target": "10.1.2.10"}, "kind", ""),
    ({"kind": "ping", "target": "10.1.2.10", "managed": True}, "managed", "cannot"),
])
def test_the_api_refuses_a_bad_check_by_field_and_writes_nothing(
        hospital: Hospital, alice: Any, api: Callable[[Any], APIClient],
        body: dict[str, Any], field: str, words: str) -> None:
    before = AuditRecord.objects.count()
    fields = errors(api(alice).post(API, {"item": "SRV-LIS", **body}, format="json"))
    assert field in fields
    assert words in " ".join(fields[field]).lower()
    assert not Check.objects.exists()
    assert AuditRecord.objects.count() == before


def test_a_managed_check_takes_only_its_schedule(
        hospital: Hospital, alice: Any, api: Callable[[Any], APIClient]) -> None:
    managed = managed_check(alice, hospital)
    client = api(alice)
    assert "target" in errors(client.patch(f"{API}{managed.pk}/", {"target": "x:1"},
                                           format="json"))
    assert client.patch(f"{API}{managed.pk}/", {"interval_s": 120},
                        format="json").status_code == 200
    assert "managed" in errors(client.delete(f"{API}{managed.pk}/"))
    assert Check.objects.get(pk=managed.pk).interval_s == 120


def test_a_vendor_engineer_reads_the_checks_of_his_items_only_and_changes_none(
        hospital: Hospital, alice: Any, bob: Any, api: Callable[[Any], APIClient]) -> None:
    client = api(alice)
    for code in ("SRV-LIS", "SRV-HIS"):
        assert client.post(API, {"item": code, "kind": "ping", "target": "10.1.2.10"},
                           format="json").status_code == 201
    seen = api(bob).get(API).json()["results"]
    assert [c["item_code"] for c in seen] == ["SRV-LIS"]
    assert api(bob).post(API, {"item": "SRV-LIS", "kind": "ping", "target": "10.1.2.10"},
                         format="json").status_code == 403
    his = Check.objects.get(item=hospital.his_host)
    assert api(bob).get(f"{API}{his.pk}/").status_code == 404
    # and alice cannot add to an item code that does not exist
    assert "item" in errors(client.post(API, {"item": "NOPE", "kind": "ping",
                                              "target": "10.0.0.1"}, format="json"))


def test_a_check_names_a_login_secret_not_any_secret(
        hospital: Hospital, alice: Any, api: Callable[[Any], APIClient]) -> None:
    token = secrets.set_secret("webhook", "s3cret-value", kind="webhook_secret", actor=alice)
    login = secrets.set_secret("lis-monitor", "pw-value", kind="password",
                               username="careops", actor=alice)
    body = {"item": "SRV-LIS", "kind": "ssh", "target": "10.1.2.10:22",
            "params": {"accept_unknown_host_key": True}}
    assert "credential" in errors(api(alice).post(API, {**body, "credential": token.name},
                                                  format="json"))
    made = api(alice).post(API, {**body, "credential": login.name}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["credential_name"] == "lis-monitor"
    assert "pw-value" not in made.content.decode()


def test_the_metrics_page_offers_the_check_forms_to_who_may_manage_only(
        hospital: Hospital, alice: Any, bob: Any,
        verified_client: Callable[[Any], Any]) -> None:
    host = hospital.lis_host
    page = verified_client(alice).get(f"/monitoring/items/{host.pk}/metrics/")
    assert 'data-testid="check-create"' in page.content.decode()
    page = verified_client(bob).get(f"/monitoring/items/{host.pk}/metrics/")
    assert page.status_code == 200
    assert 'data-testid="check-create"' not in page.content.decode()
    assert verified_client(bob).get(
        f"/monitoring/items/{host.pk}/checks/new/").status_code == 403


def test_the_form_shows_every_error_on_its_field_and_keeps_what_was_typed(
        hospital: Hospital, alice: Any, verified_client: Callable[[Any], Any]) -> None:
    url = f"/monitoring/items/{hospital.lis_host.pk}/checks/new/"
    page = verified_client(alice).post(url, {
        "kind": "dns", "target": "10.1.0.53", "params": '{"type": "A", "nmae": "his"}',
        "interval_s": "60", "timeout_s": "5", "enabled": "on"})
    assert page.status_code == 400
    html = page.content.decode()
    assert "nmae" in html and "Unknown parameter" in html
    assert "10.1.0.53" in html  # the typed target is kept
    assert not Check.objects.exists()
    page = verified_client(alice).post(url, {
        "kind": "dns", "target": "10.1.0.53", "params": "{not json",
        "interval_s": "60", "timeout_s": "5"})
    assert page.status_code == 400
    assert "Parameters must be JSON" in page.content.decode()


def test_a_check_added_in_the_form_is_run_by_the_collector_and_shown_ok(
        hospital: Hospital, alice: Any, verified_client: Callable[[Any], Any],
        listener: str) -> None:
    host = hospital.lis_host
    client = verified_client(alice)
    page = client.post(f"/monitoring/items/{host.pk}/checks/new/", {
        "kind": "tcp", "name": "LIS listener", "target": listener, "params": "",
        "interval_s": "60", "timeout_s": "3", "enabled": "on"})
    assert page.status_code == 302, page.content.decode()[:2000]
    assert page["Location"].endswith(f"/monitoring/items/{host.pk}/metrics/#checks")
    check = Check.objects.get(item=host)
    assert check.next_run_at is not None
    collector = Collector(workers=2, store=EmbeddedStore())
    try:
        collector.run_once()
    finally:
        collector.close()
    check.refresh_from_db()
    assert check.last_status == "ok", check.last_error
    listing = client.get("/monitoring/checks/", {"q": "SRV-LIS"}).content.decode()
    assert "LIS listener" in listing and "OK" in listing
    failing = client.get("/monitoring/checks/", {"status": "failing"}).content.decode()
    assert "LIS listener" not in failing


def test_the_edit_form_of_a_managed_check_offers_its_schedule_only(
        hospital: Hospital, alice: Any, verified_client: Callable[[Any], Any]) -> None:
    managed = managed_check(alice, hospital)
    client = verified_client(alice)
    html = client.get(f"/monitoring/checks/{managed.pk}/").content.decode()
    assert 'name="interval_s"' in html and 'name="target"' not in html
    assert 'data-testid="check-delete"' not in html
    page = client.post(f"/monitoring/checks/{managed.pk}/", {
        "name": "", "interval_s": "30", "timeout_s": "5", "zone": "", "enabled": "on"})
    assert page.status_code == 302
    assert Check.objects.get(pk=managed.pk).interval_s == 30


def test_a_failing_check_that_stops_running_resolves_its_alert(
        hospital: Hospital, alice: Any) -> None:
    """Deleted, disabled or its item retired: no further signal would ever come, so the
    alert is resolved then, saying why — not left firing for ever."""
    from careops.monitoring.actions import alerts as pipeline
    from careops.monitoring.actions.checks import create_check, delete_check, update_check
    from careops.monitoring.models import Alert
    from careops.monitoring.types import AlertSignal

    host = hospital.lis_host
    made = [create_check(alice, host, kind="ping", target=f"10.1.2.{n}") for n in (1, 2, 3)]
    Check.objects.filter(pk__in=[c.pk for c in made]).update(last_status="failed")
    now = timezone.now()
    pipeline.receive([AlertSignal(source="check", name="CheckFailed",
                                  labels={"careops_check": str(c.pk)}, status="firing",
                                  severity="critical", starts_at=now, item_id=host.pk,
                                  check_id=c.pk) for c in made], now=now)
    assert Alert.objects.filter(status="firing").count() == 3
    first, second, third = (Check.objects.get(pk=c.pk) for c in made)
    delete_check(alice, first)
    update_check(alice, second, enabled=False)
    assert set(Alert.objects.filter(status="firing").values_list("check_id", flat=True)) == {
        third.pk}
    items.update(alice, host, {"status": "retired"})
    assert not Alert.objects.filter(status="firing").exists()
    assert not Check.objects.get(pk=third.pk).enabled  # a retired item's checks stop
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        create_check(alice, host, kind="ping", target="10.1.2.9")
    assert "item" in refused.value.message_dict


def test_editing_keeps_what_was_not_changed(
        hospital: Hospital, alice: Any, api: Callable[[Any], APIClient]) -> None:
    """A schedule change does not make the check due; a blank zone is the item's again; a
    bad interval is a 400 naming it; a managed check disabled by hand stays disabled
    when its item is saved."""
    client = api(alice)
    pk = client.post(API, {"item": "SRV-LIS", "kind": "ping", "target": "10.1.2.10",
                           "zone": "dmz"}, format="json").json()["id"]
    later = timezone.now() + dt.timedelta(hours=1)
    Check.objects.filter(pk=pk).update(next_run_at=later)
    assert client.patch(f"{API}{pk}/", {"interval_s": 120, "zone": ""},
                        format="json").status_code == 200
    check = Check.objects.get(pk=pk)
    assert check.next_run_at == later and check.zone == "internal"  # the host's zone
    assert client.patch(f"{API}{pk}/", {"target": "10.1.2.11"},
                        format="json").status_code == 200
    assert Check.objects.get(pk=pk).next_run_at < later  # a new target runs at once
    for bad in ("abc", None, 2):
        assert "interval_s" in errors(client.patch(f"{API}{pk}/", {"interval_s": bad},
                                                   format="json"))
    managed = managed_check(alice, hospital)
    client.patch(f"{API}{managed.pk}/", {"enabled": False}, format="json")
    items.update(alice, hospital.lis_host, {"description": "noted"})
    assert not Check.objects.get(pk=managed.pk).enabled


def test_a_vendor_engineer_does_not_read_secrets_typed_into_parameters(
        hospital: Hospital, alice: Any, bob: Any, api: Callable[[Any], APIClient]) -> None:
    body = {"item": "SRV-LIS", "kind": "http", "target": "https://lis.local/health",
            "params": {"headers": {"Authorization": "Bearer t0ken-value"}, "keyword": "OK"}}
    made = api(alice).post(API, body, format="json")
    assert made.status_code == 201 and "t0ken-value" in made.content.decode()
    seen = api(bob).get(f"{API}{made.json()['id']}/")
    assert seen.status_code == 200
    assert "t0ken-value" not in seen.content.decode()
    assert seen.json()["params"] == {"headers": {"Authorization": "••••••"}, "keyword": "OK"}
