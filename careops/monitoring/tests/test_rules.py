"""Alert rules: validation and audit of changes, evaluation into alert signals, preview,
and the shipped default rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from careops.cmdb.models import Host
from careops.core.models import AuditRecord
from careops.monitoring import evaluate
from careops.monitoring.actions import rules as actions
from careops.monitoring.models import Rule, RuleState
from careops.monitoring.storage.memory import MemoryStore

MIN = 60_000
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
T0_MS = int(T0.timestamp() * 1000)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def host(code: str) -> Host:
    return Host.objects.create(code=code, name=f"Server {code}", hostname=code.lower(),
                               os_family="rhel")


def rule_data(**over: Any) -> dict[str, Any]:
    data = {"name": "CPU busy", "code": "cpu-busy", "kind": "threshold", "expr": "cpu",
            "operator": ">", "threshold": 90, "for_s": 120, "severity": "major",
            "summary": "{item}: CPU {value}% on {labels[instance]}"}
    data.update(over)
    return data


def cpu_store(values: dict[str, list[float]]) -> MemoryStore:
    """``cpu`` of each item code, one sample a minute from T0."""
    store = MemoryStore()
    for code, vals in values.items():
        store.add({"__name__": "cpu", "instance": f"{code.lower()}:9100", "careops_item": code},
                  [(T0_MS + i * MIN, v) for i, v in enumerate(vals)])
    return store


# --- changes ------------------------------------------------------------------------------

def test_it_creates_a_rule_and_audits_it(alice: Any) -> None:
    rule = actions.create_rule(alice, **rule_data())
    assert rule.pk and rule.enabled and rule.params == {}
    record = AuditRecord.objects.get(object_type="monitoring.rule", action="create")
    assert record.actor_username == "alice"
    assert "expr" in record.changes_json


def test_it_refuses_an_invalid_expression_naming_the_position(alice: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.create_rule(alice, **rule_data(expr="rate(cpu) > 1"))
    [message] = caught.value.message_dict["expr"]
    assert "position 6" in message and "range vector" in message
    assert not Rule.objects.exists()
    assert not AuditRecord.objects.filter(object_type="monitoring.rule").exists()


@pytest.mark.parametrize(("over", "field", "words"), [
    ({"kind": "rate"}, "params", "window_s is required"),
    ({"kind": "rate", "params": {"window_s": -5}}, "params", "window_s must be"),
    ({"kind": "forecast", "params": {"horizon_s": 604800}}, "params", "lookback_s"),
    ({"kind": "forecast", "params": {"horizon_s": 1, "lookback_s": 1, "min_confidence": 2}},
     "params", "min_confidence"),
    ({"params": {"window_s": 60}}, "params", "window_s is not a parameter of threshold"),
    ({"kind": "absence", "params": {"window_s": 600, "seen_s": 60}}, "params", "seen_s"),
    ({"kind": "anomaly", "params": {"sensitivity": 0}}, "params", "sensitivity"),
    ({"operator": "=="}, "operator", ">"),
    ({"threshold": "abc"}, "threshold", "finite"),
    ({"for_s": -1}, "for_s", "for_s"),
    ({"interval_s": 1}, "interval_s", "interval_s"),
    ({"severity": "urgent"}, "severity", "urgent"),
    ({"item_kind": "toaster"}, "item_kind", "toaster"),
    ({"code": "Not A Slug"}, "code", "lowercase"),
    ({"expr": "1 + 1"}, "expr", "instant vector"),
    ({"kind": "absence", "params": {"window_s": 60}, "expr": "vector(1)"}, "expr",
     "metric selector"),
    ({"name": " "}, "name", "needs a name"),
])
def test_it_names_each_bad_field(alice: Any, over: dict[str, Any], field: str,
                                 words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.create_rule(alice, **rule_data(**over))
    assert words in " ".join(caught.value.message_dict[field])
    assert not Rule.objects.exists()


def test_it_fills_parameter_defaults(alice: Any) -> None:
    rule = actions.create_rule(alice, **rule_data(
        kind="forecast", params={"horizon_s": 604800, "lookback_s": "259200"}))
    assert rule.params == {"horizon_s": 604800, "lookback_s": 259200, "min_confidence": 0.5}


def test_it_lets_only_monitoring_managers_change_rules(alice: Any, bob: Any,
                                                       charlie: Any) -> None:
    for user in (bob, charlie):
        with pytest.raises(PermissionDenied):
            actions.create_rule(user, **rule_data())
    rule = actions.create_rule(alice, **rule_data())
    with pytest.raises(PermissionDenied):
        actions.delete_rule(bob, rule)
    with pytest.raises(PermissionDenied):
        actions.set_rule_enabled(charlie, rule, False)


def test_it_updates_disables_and_deletes_with_audit(alice: Any) -> None:
    rule = actions.create_rule(alice, **rule_data())
    RuleState.objects.create(rule=rule, fingerprint="x" * 64, pending_since=T0, last_eval=T0)
    actions.update_rule(alice, rule, threshold=95, expr="cpu{mode!=\"idle\"}")
    rule.refresh_from_db()
    assert rule.threshold == 95 and rule.name == "CPU busy"
    assert not rule.states.exists()  # a new condition starts afresh
    update = AuditRecord.objects.filter(action="update").latest("id")
    assert set(update.changes_json) >= {"threshold", "expr"} or "threshold" in str(
        update.changes_json)
    actions.set_rule_enabled(alice, rule, False)
    assert not Rule.objects.get(pk=rule.pk).enabled
    assert AuditRecord.objects.filter(action="update").count() == 2
    actions.set_rule_enabled(alice, rule, False)  # no change, no record
    assert AuditRecord.objects.filter(action="update").count() == 2
    actions.delete_rule(alice, rule)
    assert not Rule.objects.exists()
    assert AuditRecord.objects.filter(action="delete", object_type="monitoring.rule").exists()


def test_it_keeps_a_rule_unchanged_when_an_update_is_invalid(alice: Any) -> None:
    rule = actions.create_rule(alice, **rule_data())
    with pytest.raises(ValidationError):
        actions.update_rule(alice, rule, threshold=50, expr="cpu >")
    rule.refresh_from_db()
    assert rule.threshold == 90 and rule.expr == "cpu"


# --- evaluation ---------------------------------------------------------------------------

def test_it_fires_after_the_for_duration_and_resolves(alice: Any) -> None:
    srv = host("SRV-HIS")
    rule = actions.create_rule(alice, **rule_data())
    store = cpu_store({"SRV-HIS": [50, 95, 96, 97, 98, 40], "SRV-LIS": [10] * 6})
    assert evaluate.evaluate_rules(at(0), store=store, rules=[rule]) == []
    assert evaluate.evaluate_rules(at(1), store=store, rules=[rule]) == []  # pending
    assert RuleState.objects.get().firing_since is None
    assert evaluate.evaluate_rules(at(2), store=store, rules=[rule]) == []
    [signal] = evaluate.evaluate_rules(at(3), store=store, rules=[rule])
    assert signal.status == "firing" and signal.source == "rule" and signal.name == "cpu-busy"
    assert signal.starts_at == at(1) and signal.value == 97 and signal.severity == "major"
    assert signal.labels == {"instance": "srv-his:9100", "careops_item": "SRV-HIS"}
    assert signal.item_id == srv.pk and signal.rule_id == rule.pk
    assert signal.summary == "Server SRV-HIS: CPU 97% on srv-his:9100"
    [again] = evaluate.evaluate_rules(at(4), store=store, rules=[rule])
    assert again.status == "firing" and again.starts_at == at(1)
    [resolved] = evaluate.evaluate_rules(at(5), store=store, rules=[rule])
    assert resolved.status == "resolved" and resolved.ends_at == at(5)
    assert resolved.starts_at == at(1)
    assert not RuleState.objects.exists()
    rule.refresh_from_db()
    assert rule.last_eval_at == at(5) and rule.last_error == ""


def test_it_evaluates_only_enabled_rules_that_are_due(alice: Any) -> None:
    on = actions.create_rule(alice, **rule_data(for_s=0, interval_s=300))
    off = actions.create_rule(alice, **rule_data(code="off", for_s=0, enabled=False))
    store = cpu_store({"SRV-HIS": [95] * 10})
    assert [s.name for s in evaluate.evaluate_rules(at(0), store=store)] == ["cpu-busy"]
    assert evaluate.evaluate_rules(at(1), store=store) == []  # every 5 minutes
    assert [s.name for s in evaluate.evaluate_rules(at(5), store=store)] == ["cpu-busy"]
    off.refresh_from_db()
    assert off.last_eval_at is None and on.pk


def test_it_limits_a_rule_to_its_item_or_its_item_class(alice: Any) -> None:
    his = host("SRV-HIS")
    store = cpu_store({"SRV-HIS": [95], "SRV-LIS": [95], "DB-X": [95]})
    one = actions.create_rule(alice, **rule_data(code="one", for_s=0, item=his))
    hosts = actions.create_rule(alice, **rule_data(code="hosts", for_s=0, item_kind="host"))
    host("SRV-LIS")
    everything = actions.create_rule(alice, **rule_data(code="all", for_s=0))
    got = evaluate.evaluate_rules(at(0), store=store, rules=[one, hosts, everything])
    by_rule: dict[str, set[str]] = {}
    for s in got:
        by_rule.setdefault(s.name, set()).add(s.labels["careops_item"])
    assert by_rule == {"one": {"SRV-HIS"}, "hosts": {"SRV-HIS", "SRV-LIS"},
                       "all": {"SRV-HIS", "SRV-LIS", "DB-X"}}


def test_it_goes_on_when_one_rule_fails(alice: Any) -> None:
    store = cpu_store({"SRV-HIS": [95]})
    store.add({"__name__": "other", "careops_item": "SRV-HIS", "instance": "srv-his:9100"},
              [(T0_MS, 1.0)])
    bad = actions.create_rule(alice, **rule_data(code="bad", expr='abs({careops_item="SRV-HIS"})',
                                                 for_s=0))
    good = actions.create_rule(alice, **rule_data(code="good", for_s=0))
    got = evaluate.evaluate_rules(at(0), store=store, rules=[bad, good])
    assert [s.name for s in got] == ["good"]
    bad.refresh_from_db()
    assert "same labelset" in bad.last_error


def test_it_fires_on_a_change_over_the_window(alice: Any) -> None:
    store = MemoryStore()
    store.add({"__name__": "errors_total", "careops_item": "SRV-HIS"},
              [(T0_MS + i * MIN, v) for i, v in enumerate([0, 0, 0, 5, 5, 5, 5, 5])])
    rule = actions.create_rule(alice, **rule_data(
        code="errors", kind="rate", expr="errors_total", operator=">", threshold=0, for_s=0,
        params={"window_s": 180}, summary="{value} new errors"))
    assert evaluate.evaluate_rules(at(2), store=store, rules=[rule]) == []
    [s] = evaluate.evaluate_rules(at(3), store=store, rules=[rule])
    assert s.value == 5 and s.summary == "5 new errors"
    assert evaluate.evaluate_rules(at(5), store=store, rules=[rule])[0].status == "firing"
    [s] = evaluate.evaluate_rules(at(6), store=store, rules=[rule])  # 6 - 3 = 3: no change
    assert s.status == "resolved"


def test_it_fires_when_a_series_stops_reporting(alice: Any) -> None:
    store = MemoryStore()
    store.add({"__name__": "node_time_seconds", "careops_item": "SRV-HIS"},
              [(T0_MS + i * MIN, 1.0) for i in range(10)])
    store.add({"__name__": "node_time_seconds", "careops_item": "SRV-LIS"},
              [(T0_MS + i * MIN, 1.0) for i in range(30)])
    rule = actions.create_rule(alice, **rule_data(
        code="no-data", kind="absence", expr="node_time_seconds", for_s=0,
        params={"window_s": 300}, summary="{item}: silent for {duration}"))
    assert evaluate.evaluate_rules(at(14), store=store, rules=[rule]) == []
    [s] = evaluate.evaluate_rules(at(15), store=store, rules=[rule])
    assert s.labels == {"careops_item": "SRV-HIS"} and s.value == 360
    assert s.summary == "SRV-HIS: silent for 6m"
    # 12 windows (an hour) after its last sample a series is forgotten: resolved
    later = evaluate.evaluate_rules(at(9 + 61), store=store, rules=[rule])
    assert {(s.status, s.labels["careops_item"]) for s in later} == {
        ("resolved", "SRV-HIS"), ("firing", "SRV-LIS")}
    # and with no series at all the rule fires as absent() for the selector
    last = evaluate.evaluate_rules(at(29 + 61), store=store, rules=[rule])
    assert {(s.status, tuple(s.labels.items())) for s in last} == {
        ("resolved", (("careops_item", "SRV-LIS"),)), ("firing", ())}


def test_it_writes_nan_values_as_no_value(alice: Any) -> None:
    store = MemoryStore()
    store.add({"__name__": "x", "careops_item": "A"}, [(T0_MS, 0.0)])
    rule = actions.create_rule(alice, **rule_data(code="nan", expr="x / x", operator="<",
                                                  threshold=1, for_s=60))
    assert evaluate.evaluate_rules(at(0), store=store, rules=[rule]) == []  # NaN never matches
    assert not RuleState.objects.exists()


# --- preview ------------------------------------------------------------------------------

def test_it_previews_what_an_unsaved_rule_would_have_fired(alice: Any) -> None:
    host("SRV-HIS")
    week = 7 * 24 * 60
    values = [50.0] * (week + 1)
    for i in range(1000, 1010):  # ten minutes above 90: fires after 5 minutes
        values[i] = 95.0 + i - 1000
    for i in range(3000, 3003):  # three minutes: shorter than for_s, never fires
        values[i] = 99.0
    values[-5:] = [97.0] * 5  # still pending/firing at the end
    store = cpu_store({"SRV-HIS": values})
    rule = actions.unsaved_rule(rule_data(for_s=300, code="cpu-busy"))
    assert rule.pk is None
    got = evaluate.preview(rule, at(week), store=store)
    assert len(got) == 1
    [interval] = got
    assert interval.start == at(1000) and interval.end == at(1010)
    assert interval.peak_value == 104.0
    assert interval.labels["careops_item"] == "SRV-HIS" and interval.item_id is not None
    shorter = evaluate.preview(actions.unsaved_rule(rule_data(for_s=0)), at(week), store=store)
    assert [(i.start, i.end) for i in shorter] == [
        (at(1000), at(1010)), (at(3000), at(3003)), (at(week - 4), None)]
    assert not Rule.objects.exists()


def test_it_previews_a_below_threshold_rule_with_its_lowest_value(alice: Any) -> None:
    store = cpu_store({"SRV-HIS": [50, 8, 5, 7, 50]})
    rule = actions.unsaved_rule(rule_data(operator="<", threshold=10, for_s=0))
    [interval] = evaluate.preview(rule, at(4), days=1, store=store)
    assert interval.peak_value == 5 and interval.end == at(4)


# --- forecast and anomaly (need the modules of the forecast helper) -----------------------

def test_it_fires_a_forecast_rule_when_the_disk_fills_within_the_horizon(alice: Any) -> None:
    pytest.importorskip("careops.logic.forecast")
    store = MemoryStore()
    hours = 72
    # used % rising 0.5 per hour from 40%: reaches 100% 120 hours after the start
    store.add({"__name__": "disk_used", "careops_item": "SRV-HIS", "mountpoint": "/data"},
              [(T0_MS + h * 3_600_000, 40.0 + 0.5 * h) for h in range(hours + 1)])
    rule = actions.create_rule(alice, **rule_data(
        code="disk-full-soon", kind="forecast", expr="disk_used", operator=">=",
        threshold=100, for_s=0, params={"horizon_s": 7 * 86400, "lookback_s": 3 * 86400,
                                         "min_confidence": 0.1},
        summary="{labels[mountpoint]} full in {duration}"))
    [s] = evaluate.evaluate_rules(T0 + dt.timedelta(hours=hours), store=store, rules=[rule])
    assert s.status == "firing"
    assert s.value == pytest.approx(48 * 3600, rel=0.1)
    assert s.summary.startswith("/data full in 2d")


def test_it_fires_an_anomaly_rule_on_an_unusual_value(alice: Any) -> None:
    pytest.importorskip("careops.logic.anomaly")
    store = MemoryStore()
    weeks = 3
    points = [(T0_MS + i * 300_000, 0.2 + 0.01 * ((i * 7) % 5))
              for i in range(weeks * 7 * 288)]
    now_ms = points[-1][0] + 300_000
    points.append((now_ms, 5.0))
    store.add({"__name__": "probe_duration_seconds", "careops_item": "WEB"}, points)
    rule = actions.create_rule(alice, **rule_data(
        code="latency", kind="anomaly", expr="probe_duration_seconds", operator=">",
        threshold=0, for_s=0, params={"sensitivity": 4, "min_weeks": 2}))
    now = dt.datetime.fromtimestamp(now_ms / 1000, tz=dt.UTC)
    [s] = evaluate.evaluate_rules(now, store=store, rules=[rule])
    assert s.value == 5.0 and "expected" in s.annotations


# --- shipped defaults ---------------------------------------------------------------------

def test_it_loads_the_default_rules_once_and_keeps_edited_ones(alice: Any) -> None:
    first = actions.load_default_rules()
    assert len(first.created) >= 25 and not first.updated
    codes = set(Rule.objects.values_list("code", flat=True))
    for code in ("host-down", "cpu-high", "memory-low", "disk-used", "disk-full-soon",
                 "inodes-used", "load-per-core", "clock-offset", "systemd-unit-failed",
                 "log-error-lines", "pg-connections-high", "pg-long-transaction",
                 "pg-replication-lag", "pg-txid-wraparound", "mysql-connections-high",
                 "tls-cert-expiring", "http-probe-failing", "mllp-ack-failing",
                 "latency-anomaly", "host-no-metrics"):
        assert code in codes
    assert Rule.objects.filter(is_default=True).count() == len(first.created)
    again = actions.load_default_rules()
    assert not again.created and not again.updated and len(again.unchanged) == len(codes)
    cpu = Rule.objects.get(code="cpu-high")
    actions.update_rule(alice, cpu, threshold=95)
    third = actions.load_default_rules()
    assert third.kept_edited == ["cpu-high"]
    assert Rule.objects.get(code="cpu-high").threshold == 95
    # disabling is not an edit of the definition: the rule stays up to date
    actions.set_rule_enabled(alice, Rule.objects.get(code="memory-low"), False)
    assert "memory-low" in actions.load_default_rules().unchanged


def _written_names() -> tuple[set[str], set[str]]:
    """(metric names, label names) CareOps' own collectors and scheduler write: every
    quoted identifier of their sources, plus the families they build from lists
    (node_memory_<Key>_bytes from /proc/meminfo, MySQL's status and variables)."""
    import re

    from careops.monitoring.collectors import mysql

    root = Path(evaluate.__file__).resolve().parent
    sources = [*sorted((root / "collectors").glob("*.py")), root / "scheduler.py",
               root.parent / "logic" / "sshcollect.py"]
    words = set()
    for source in sources:
        words |= set(re.findall(r'"([a-zA-Z_][a-zA-Z0-9_]*)"', source.read_text()))
    words |= {f"node_memory_{key}_bytes" for key in ("MemAvailable", "MemTotal", "MemFree",
                                                      "Buffers", "Cached", "SwapTotal",
                                                      "SwapFree")}
    words |= {f"mysql_global_status_{name}" for name in mysql.STATUS}
    words |= {f"mysql_global_variables_{name}" for name in mysql.VARIABLES}
    return words, words


def test_every_shipped_rule_reads_what_a_careops_collector_writes() -> None:
    """A default rule on a name only a third-party exporter writes, or a matcher on a
    label no collector sets, would never fire where CareOps collects itself."""
    from careops.logic import promql

    names, labels = _written_names()
    unfed = {}
    for rule in actions.shipped_rules():
        selectors = promql.selectors(promql.parse(rule["expr"]))
        if not any(sel.name in names for sel in selectors):
            unfed[rule["code"]] = [sel.name for sel in selectors]
        for sel in selectors:
            for matcher in sel.matchers:
                if matcher.label not in labels and matcher.label != "__name__":
                    unfed[rule["code"]] = [f"label {matcher.label}"]
    assert unfed == {}


def test_the_shipped_database_and_host_rules_fire_on_what_the_collectors_write(
        alice: Any) -> None:
    """The names the collectors write (not an exporter's) drive the rules that read both."""
    actions.load_default_rules()
    host = Host.objects.create(name="LIS", code="SRV-LIS", hostname="lis", os_family="linux")
    store = MemoryStore()
    start = T0_MS - 3_600_000
    series = {
        ("careops_clock_offset_seconds", ()): -3.5,
        ("pg_replication_lag", ()): 900.0,
        ("careops_pg_txid_age", (("datname", "his"),)): 1.45e9,
        ("careops_log_error_lines", (("file", "/var/log/his.log"),)): 4.0,
    }
    for (name, extra), value in series.items():
        store.add({"__name__": name, "careops_item": host.code, **dict(extra)},
                  [(start + k * 60_000, value) for k in range(61)])
    rules = list(Rule.objects.filter(code__in=[
        "clock-offset", "pg-replication-lag", "pg-txid-wraparound-critical",
        "log-error-lines"]))
    Rule.objects.filter(pk__in=[r.pk for r in rules]).update(item_kind="")
    rules = list(Rule.objects.filter(pk__in=[r.pk for r in rules]))
    fired = set()
    for minutes in range(-10, 1):  # the last ten minutes, as the collector would
        now = dt.datetime.fromtimestamp(T0_MS / 1000 + minutes * 60, tz=dt.UTC)
        fired |= {s.name for s in evaluate.evaluate_rules(now, store=store, rules=rules)
                  if s.status == "firing"}
    assert fired == {"clock-offset", "pg-replication-lag", "pg-txid-wraparound-critical",
                     "log-error-lines"}


def test_it_updates_an_unedited_default_when_the_shipped_one_changes(
        alice: Any, tmp_path: Path) -> None:
    shipped = tmp_path / "rules.yaml"
    shipped.write_text("host:\n  - {code: x-down, name: X down, kind: threshold, expr: up, "
                       "operator: '<', threshold: 1, for_s: 60, severity: critical}\n")
    actions.load_default_rules(path=shipped)
    shipped.write_text(shipped.read_text().replace("for_s: 60", "for_s: 120"))
    report = actions.load_default_rules(path=shipped)
    assert report.updated == ["x-down"]
    assert Rule.objects.get(code="x-down").for_s == 120
    assert AuditRecord.objects.filter(action="update", object_type="monitoring.rule").exists()


def test_it_loads_chinese_names_on_a_chinese_site() -> None:
    actions.load_default_rules(language="zh-hans")
    assert Rule.objects.get(code="host-down").name == "主机宕机（采集失败）"


def test_it_loads_the_default_rules_from_the_command_line(alice: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("monitoring", "load-rules", "--as", "alice", stdout=out)
    assert out.getvalue().startswith("created 28, updated 0, unchanged 0")
    assert AuditRecord.objects.filter(actor_username="alice", action="create").count() == 28
    out = StringIO()
    call_command("monitoring", "load-rules", stdout=out)
    assert out.getvalue().startswith("created 0, updated 0, unchanged 28")
