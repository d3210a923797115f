"""The collection scheduler against a real node_exporter: checks come from the CMDB,
``collect --once`` stores samples, a target that never answers holds up nobody, two
collectors never run one check twice, status changes become alert signals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from careops.cmdb.actions import items
from careops.cmdb.models import Host, SshHostKey
from careops.core import secrets
from careops.core.models import AuditRecord
from careops.core.tests import sshd_support
from careops.core.tests.sshd_support import Sshd
from careops.logic.metrics import Matcher, Selector
from careops.monitoring import hooks
from careops.monitoring.actions.checks import (
    create_check,
    delete_check,
    update_check,
)
from careops.monitoring.models import Check, Series
from careops.monitoring.scheduler import Collector
from careops.monitoring.storage.embedded import EmbeddedStore
from careops.monitoring.tests.servers import NodeExporter, SilentServer
from careops.monitoring.types import AlertSignal
from conftest import require_service

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
start_sshd = sshd_support.start_sshd


@pytest.fixture
def exporter() -> Iterator[NodeExporter]:
    require_service("node_exporter")
    server = NodeExporter()
    yield server
    server.stop()


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.stop()


@pytest.fixture
def store() -> EmbeddedStore:
    return EmbeddedStore()


@pytest.fixture
def collector(store: EmbeddedStore) -> Iterator[Collector]:
    running = Collector(workers=4, store=store)
    yield running
    running.close()


@pytest.fixture
def received() -> Iterator[list[AlertSignal]]:
    got: list[AlertSignal] = []
    hooks.after_collect.append(got.extend)
    yield got
    hooks.after_collect.remove(got.extend)


def make_host(alice: Any, code: str, endpoints: list[dict[str, str]] | None = None,
              **fields: Any) -> Host:
    host = items.create(alice, Host, {"name": code, "code": code, "hostname": code.lower(),
                                      "os_family": "linux",
                                      "monitoring_endpoints": endpoints or [], **fields})
    assert isinstance(host, Host)
    return host


def due_now(*checks: Check) -> None:
    Check.objects.filter(pk__in=[c.pk for c in checks]).update(next_run_at=timezone.now())


# --- checks from the CMDB -------------------------------------------------------------
def test_it_keeps_managed_checks_in_step_with_the_items_endpoints(alice: Any) -> None:
    host = make_host(alice, "SRV-HIS", [{"job": "node", "target": "10.1.2.3:9100"}],
                     network_zone="dmz")
    [check] = Check.objects.filter(item=host)
    assert (check.kind, check.target, check.params, check.managed, check.zone) == (
        "scrape", "10.1.2.3:9100", {"job": "node"}, True, "dmz")
    assert check.next_run_at is not None and check.next_run_at <= timezone.now()
    assert AuditRecord.objects.filter(object_type="monitoring.check", action="create").exists()

    items.update(alice, host, {"monitoring_endpoints": [
        {"job": "node", "target": "10.1.2.3:9100", "path": "/node"},
        {"job": "postgres", "target": "10.1.2.3:9187"}]})
    assert sorted(Check.objects.filter(item=host).values_list("target", "params")) == [
        ("10.1.2.3:9100", {"job": "node", "path": "/node"}),
        ("10.1.2.3:9187", {"job": "postgres"})]

    items.update(alice, host, {"monitoring_endpoints": []})
    assert not Check.objects.filter(item=host).exists()
    assert AuditRecord.objects.filter(object_type="monitoring.check", action="delete").count() == 2


def test_it_leaves_a_hand_made_check_of_the_same_target_alone(alice: Any) -> None:
    host = make_host(alice, "SRV-LIS")
    mine = create_check(alice, host, kind="scrape", target="10.0.0.9:9100",
                        params={"job": "node"}, interval_s=30)
    items.update(alice, host, {"monitoring_endpoints": [{"job": "node",
                                                         "target": "10.0.0.9:9100"}]})
    assert list(Check.objects.filter(item=host)) == [mine]
    assert not Check.objects.get(pk=mine.pk).managed


def test_it_audits_hand_made_checks_and_refuses_bad_input_by_field(alice: Any, bob: Any) -> None:
    host = make_host(alice, "SRV-PACS", [{"job": "node", "target": "10.0.0.5:9100"}])
    check = create_check(alice, host, kind="tcp", target="10.0.0.5:104", timeout_s=3)
    assert check.next_run_at is not None
    update_check(alice, check, interval_s=120)
    assert Check.objects.get(pk=check.pk).interval_s == 120
    from django.core.exceptions import PermissionDenied

    with pytest.raises(ValidationError) as bad:
        create_check(alice, host, kind="nonsense", target="x")
    assert "kind" in bad.value.message_dict
    with pytest.raises(ValidationError) as bad:
        create_check(alice, host, kind="tcp", target="y", interval_s=-5)
    assert "interval_s" in bad.value.message_dict
    managed = Check.objects.get(item=host, managed=True)
    with pytest.raises(ValidationError) as bad:
        update_check(alice, managed, target="elsewhere:1")
    assert "target" in bad.value.message_dict
    with pytest.raises(ValidationError):
        delete_check(alice, managed)
    with pytest.raises(PermissionDenied):
        create_check(bob, host, kind="tcp", target="10.0.0.5:22")
    pk = check.pk
    delete_check(alice, check)
    actions = list(AuditRecord.objects.filter(object_type="monitoring.check",
                                              object_id=str(pk))
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["create", "update", "delete"]


# --- collection against a real node_exporter ---------------------------------------------
def test_it_collects_a_hosts_node_exporter_with_collect_once(
        alice: Any, exporter: NodeExporter, settings: Any) -> None:
    settings.CAREOPS_METRICS_BACKEND = "embedded"
    from careops.monitoring.storage import reset_store

    reset_store()
    host = make_host(alice, "SRV-EMR", [{"job": "node", "target": exporter.target}])
    call_command("collect", "--once")
    check = Check.objects.get(item=host)
    assert check.last_status == "ok", check.last_error
    assert check.last_samples > 20 and check.consecutive_failures == 0
    assert check.next_run_at is not None and check.next_run_at > timezone.now()
    load = Series.objects.get(name="node_load1")
    assert load.item_id == host.pk
    assert load.labels == {"job": "node", "instance": exporter.target,
                           "careops_item": host.code, "careops_check": str(check.pk)}
    up = Series.objects.get(name="up", item=host)
    assert Series.objects.filter(name="scrape_samples_scraped", item=host).exists()
    assert [v for _, v in reset_and_select(up.labels, "up")] == [1.0]
    reset_store()


def reset_and_select(labels: dict[str, str], name: str) -> list[tuple[int, float]]:
    store = EmbeddedStore()
    selector = Selector(name, tuple(Matcher(k, "=", v) for k, v in labels.items()))
    [series] = store.select(selector, 0, 2**62)
    return series.points


def test_it_collects_a_host_added_while_it_runs_on_the_next_tick(
        alice: Any, exporter: NodeExporter, collector: Collector) -> None:
    collector.tick(wait_s=0)
    assert collector.outcomes == []
    host = make_host(alice, "SRV-NEW", [{"job": "node", "target": exporter.target}])
    while not collector.outcomes:
        collector.tick()
    [outcome] = collector.outcomes
    assert outcome.status == "ok" and outcome.samples > 20
    assert outcome.check_id == Check.objects.get(item=host).pk


def test_it_catches_up_with_items_imported_in_bulk(alice: Any, collector: Collector) -> None:
    [host] = items.create_many(alice, Host, [(
        {"name": "Imported", "code": "SRV-IMP", "hostname": "imp", "os_family": "linux",
         "monitoring_endpoints": [{"job": "node", "target": "10.9.9.9:9100"}]}, {})])
    assert not Check.objects.filter(item=host).exists()  # bulk inserts send no signal
    collector.catch_up()
    assert Check.objects.filter(item=host, managed=True).exists()


def test_it_does_not_let_a_silent_target_hold_up_a_good_one(
        alice: Any, exporter: NodeExporter, silent: SilentServer,
        collector: Collector) -> None:
    hung = make_host(alice, "SRV-HUNG", [{"job": "node", "target": silent.target}])
    Check.objects.filter(item=hung).update(timeout_s=120)
    good = make_host(alice, "SRV-GOOD", [{"job": "node", "target": exporter.target}])
    while not collector.outcomes:
        collector.tick()
    # the good one is stored while the silent one is still waiting for its answer
    assert [o.check_id for o in collector.outcomes] == [Check.objects.get(item=good).pk]
    assert [run.check_id for run in collector.in_flight.values()] == [
        Check.objects.get(item=hung).pk]
    assert Check.objects.get(item=hung).last_status == "pending"


def test_it_records_a_silent_target_as_timed_out_and_signals_it(
        alice: Any, silent: SilentServer, collector: Collector,
        received: list[AlertSignal]) -> None:
    host = make_host(alice, "SRV-SILENT", [{"job": "node", "target": silent.target}])
    Check.objects.filter(item=host).update(timeout_s=0.5)
    signals = collector.run_once()
    check = Check.objects.get(item=host)
    assert (check.last_status, check.consecutive_failures) == ("timeout", 1)
    assert check.last_error
    [signal] = signals
    assert received == signals
    assert (signal.source, signal.name, signal.status, signal.severity) == (
        "check", "CheckFailed", "firing", "major")
    # the check alone identifies its alert (renaming the item orphans nothing)
    assert signal.labels == {"careops_check": str(check.pk)}
    assert (signal.item_id, signal.check_id) == (host.pk, check.pk)
    # still failing: no new signal, the count goes on
    due_now(check)
    assert collector.run_once() == []
    assert Check.objects.get(pk=check.pk).consecutive_failures == 2


def test_it_signals_failure_and_recovery_of_a_node_exporter(
        alice: Any, exporter: NodeExporter, collector: Collector) -> None:
    host = make_host(alice, "SRV-FLAP", [{"job": "node", "target": exporter.target}])
    check = Check.objects.get(item=host)
    assert collector.run_once() == []  # pending → ok is no change worth a signal
    exporter.stop()
    due_now(check)
    [down] = collector.run_once()
    assert (down.status, Check.objects.get(pk=check.pk).last_status) == ("firing", "failed")
    again = NodeExporter(port=exporter.port)
    try:
        due_now(check)
        [back] = collector.run_once()
    finally:
        again.stop()
    assert back.status == "resolved" and back.ends_at is not None
    assert Check.objects.get(pk=check.pk).consecutive_failures == 0
    ups = reset_and_select({"careops_check": str(check.pk)}, "up")
    assert [v for _, v in ups] == [1.0, 0.0, 1.0]


def test_it_makes_a_failing_host_ping_critical(alice: Any, collector: Collector) -> None:
    host = make_host(alice, "SRV-PING")
    # nothing answers in 240.0.0.0/4 (reserved): the ping fails
    check = create_check(alice, host, kind="ping", target="240.0.0.1", timeout_s=2)
    [signal] = collector.run_once()
    assert (signal.severity, signal.check_id) == ("critical", check.pk)


# --- claiming ---------------------------------------------------------------------------
def test_it_never_lets_two_collectors_claim_one_check(alice: Any, store: EmbeddedStore) -> None:
    host = make_host(alice, "SRV-TWO", [{"job": "node", "target": "10.0.0.1:9100"},
                                        {"job": "other", "target": "10.0.0.1:9200"}])
    first, second = Collector(workers=1, store=store), Collector(workers=1, store=store)
    try:
        now = timezone.now()
        # both read the same due checks before either claims them
        seen_first, seen_second = first.due(now, 10), second.due(now, 10)
        assert len(seen_first) == len(seen_second) == 2
        assert sorted(first.take(seen_first, now)) == sorted(
            Check.objects.filter(item=host).values_list("pk", flat=True))
        assert second.take(seen_second, now) == []
        assert second.due(now, 10) == []
        # a collector killed mid-run: the check is due again one interval later
        later = now + dt.timedelta(seconds=61)
        assert len(second.due(later, 10)) == 2
    finally:
        first.close()
        second.close()


def test_it_claims_only_the_checks_of_its_zone(alice: Any, store: EmbeddedStore) -> None:
    dmz = make_host(alice, "SRV-DMZ", [{"job": "node", "target": "10.0.0.2:9100"}],
                    network_zone="dmz")
    inside = make_host(alice, "SRV-IN", [{"job": "node", "target": "10.0.0.3:9100"}])
    loose = create_check(alice, make_host(alice, "SVC-X"), kind="tcp", target="10.0.0.4:80")
    Check.objects.filter(pk=loose.pk).update(zone="")
    now = timezone.now()
    by_zone = {}
    for zone in ("dmz", "internal", None):
        runner = Collector(zone=zone, workers=1, store=store)
        by_zone[zone] = sorted(pk for pk, _, _ in runner.due(now, 10))
        runner.close()
    assert by_zone["dmz"] == [Check.objects.get(item=dmz).pk]
    assert by_zone["internal"] == sorted([Check.objects.get(item=inside).pk, loose.pk])
    assert len(by_zone[None]) == 3


def test_it_reveals_the_items_credential_once_an_hour_not_every_run(
        alice: Any, collector: Collector) -> None:
    secret = secrets.set_secret("ssh-his", "S3cret-value!", username="ops", actor=alice)
    host = make_host(alice, "SRV-CRED", credential=secret)
    check = create_check(alice, host, kind="ssh", target="10.0.0.8:22",
                         params={"accept_unknown_host_key": True})
    first = collector.credential(check)
    second = collector.credential(Check.objects.get(pk=check.pk))
    assert first == second
    assert first is not None and (first.username, first.password) == ("ops", "S3cret-value!")
    assert AuditRecord.objects.filter(action="secret_use", object_id=str(secret.pk)).count() == 1


@pytest.mark.slow
def test_an_ssh_check_runs_with_the_host_key_the_cmdb_pinned(
        alice: Any, collector: Collector, start_sshd: Callable[[], Sshd]) -> None:
    """No key typed into the check: the run gets the one discovery pinned, so the real
    server passes and another server behind the same address fails before any login."""
    sshd, impostor = start_sshd(), start_sshd()
    key = secrets.set_secret("ssh-root", sshd.client_key, kind="ssh_key", username="root",
                             actor=alice)
    host = make_host(alice, "SRV-SSH", credential=key)
    with pytest.raises(ValidationError) as unpinned:
        create_check(alice, host, kind="ssh", target=f"127.0.0.1:{sshd.port}")
    assert "known_host" in " ".join(unpinned.value.message_dict["params"])
    SshHostKey.objects.create(host=host, algorithm="ssh-ed25519",
                              public_key=sshd.public_host_key, fingerprint=sshd.fingerprint,
                              address=f"127.0.0.1:{sshd.port}")
    good = create_check(alice, host, kind="ssh", target=f"127.0.0.1:{sshd.port}",
                        timeout_s=20)
    bad = create_check(alice, host, kind="ssh", target=f"127.0.0.1:{impostor.port}",
                       timeout_s=20)
    assert "known_host" not in good.params  # nothing copied into the check
    collector.run_once()
    statuses = {c.pk: (c.last_status, c.last_error) for c in Check.objects.all()}
    assert statuses[good.pk] == ("ok", ""), statuses[good.pk]
    assert statuses[bad.pk][0] == "failed"
    assert "is not the pinned one" in statuses[bad.pk][1]
