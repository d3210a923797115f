"""The alert rule API: /api/v1/monitoring/rules/ (CRUD, enable/disable, preview)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from careops.core.models import AuditRecord
from careops.monitoring import evaluate
from careops.monitoring.actions import rules as actions
from careops.monitoring.models import Rule
from careops.monitoring.storage.memory import MemoryStore

API = "/api/v1/monitoring/rules/"
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
T0_MS = int(T0.timestamp() * 1000)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]



BODY = {"name": "Memory low", "code": "mem-low", "kind": "threshold",
        "expr": "100 * node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes",
        "operator": "<", "threshold": 10, "for_s": 600, "severity": "major"}


def test_it_creates_reads_changes_and_deletes_a_rule(api: Any, alice: Any) -> None:
    client = api(alice)
    created = client.post(API, BODY, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["params"] == {} and created.json()["enabled"] is True
    changed = client.patch(f"{API}{pk}/", {"threshold": 5}, format="json")
    assert changed.status_code == 200 and changed.json()["threshold"] == 5
    assert changed.json()["for_s"] == 600
    assert client.post(f"{API}{pk}/disable/").json()["enabled"] is False
    assert client.get(API, {"enabled": "false"}).json()["results"][0]["code"] == "mem-low"
    assert client.get(API, {"enabled": "true"}).json()["results"] == []
    assert client.get(API, {"severity": "critical"}).json()["results"] == []
    assert client.get(API, {"kind": "threshold"}).json()["count"] == 1
    assert client.delete(f"{API}{pk}/").status_code == 204
    assert not Rule.objects.exists()
    actions_seen = list(AuditRecord.objects.filter(object_type="monitoring.rule")
                        .values_list("action", flat=True))
    assert sorted(actions_seen) == ["create", "delete", "update", "update"]


def test_it_refuses_a_bad_expression_with_the_position(api: Any, alice: Any) -> None:
    response = api(alice).post(API, {**BODY, "expr": "sum(rate(x[5m])"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"]["expr"] == [
        "Invalid expression at position 16: expected ',' or ')', found the end of the "
        "expression"]
    assert not Rule.objects.exists()


def test_it_names_a_bad_parameter(api: Any, alice: Any) -> None:
    response = api(alice).post(API, {**BODY, "kind": "rate", "params": {"window": 60}},
                               format="json")
    assert response.status_code == 400
    assert "window is not a parameter" in " ".join(response.json()["error"]["fields"]["params"])


def test_it_lets_others_read_but_not_change(api: Any, alice: Any, bob: Any,
                                            charlie: Any) -> None:
    actions.create_rule(alice, **BODY)
    for user in (bob, charlie):
        client = api(user)
        assert client.get(API).status_code == 200
        assert client.post(API, {**BODY, "code": "x"}, format="json").status_code == 403
        assert client.post(f"{API}preview/", BODY, format="json").status_code == 403
    assert APIClient().get(API).status_code == 401


def test_it_lists_rules_in_a_fixed_number_of_queries(api: Any, alice: Any) -> None:
    actions.load_default_rules()
    client = api(alice)
    client.get(API)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(API, {"limit": 100}).status_code == 200
    assert len(ctx) <= 6


def test_it_previews_an_unsaved_rule(api: Any, alice: Any, monkeypatch: Any) -> None:
    store = MemoryStore()
    values = [50.0] * 120
    values[30:50] = [5.0] * 20
    for name, vals in (("node_memory_MemAvailable_bytes", values),
                       ("node_memory_MemTotal_bytes", [100.0] * 120)):
        store.add({"__name__": name, "careops_item": "SRV-HIS"},
                  [(T0_MS + i * 60_000, v) for i, v in enumerate(vals)])
    monkeypatch.setattr(evaluate, "get_default_store", lambda: store)
    end = (T0 + dt.timedelta(minutes=119)).isoformat()
    response = api(alice).post(f"{API}preview/", {**BODY, "for_s": 300, "end": end,
                                                  "days": 1}, format="json")
    assert response.status_code == 200, response.json()
    [interval] = response.json()
    assert interval["labels"] == {"careops_item": "SRV-HIS"}
    assert dt.datetime.fromisoformat(interval["start"]) == T0 + dt.timedelta(minutes=30)
    assert dt.datetime.fromisoformat(interval["end"]) == T0 + dt.timedelta(minutes=50)
    assert interval["peak_value"] == 5
    assert not Rule.objects.exists()
    bad = api(alice).post(f"{API}preview/", {**BODY, "expr": "x ==="}, format="json")
    assert bad.status_code == 400 and "position" in bad.json()["error"]["fields"]["expr"][0]
