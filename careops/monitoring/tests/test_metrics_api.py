"""The query_range API (scoped to the items a user may see, checked against a real
VictoriaMetrics), its refusals of bad input, the store health API, the item's metrics page
and the Metrics card on the CMDB item page."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from careops.cmdb.actions import items, relations
from careops.cmdb.tests.factories import Hospital
from careops.logic.promtext import Sample
from careops.monitoring.actions.checks import create_check
from careops.monitoring.storage import status
from careops.monitoring.storage.embedded import EmbeddedStore
from careops.monitoring.tests import servers
from careops.monitoring.tests.servers import VictoriaMetrics

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

URL = "/api/v1/monitoring/query_range/"
NOW_S = int(time.time()) - 600


@pytest.fixture
def hospital(alice: Any, bob: Any, charlie: Any) -> Hospital:
    h = Hospital(alice)
    relations.add(alice, h.lis, "runs_on", h.lis_host)
    relations.add(alice, h.lis, "uses_database", h.lis_db)
    items.update(alice, h.vendor, {}, m2m={"engineers": [bob]})  # bob: LIS only
    return h



vm = servers.vm_backend


def params(query: str, **more: Any) -> dict[str, Any]:
    return {"query": query, "start": NOW_S, "end": NOW_S + 60, "step": "15s", **more}


def field_errors(response: Any) -> dict[str, Any]:
    assert response.status_code == 400, response.content
    fields: dict[str, Any] = response.json()["error"]["fields"]
    return fields


@pytest.mark.parametrize(("query", "field"), [
    ({"start": "1", "end": "2", "step": "1"}, "query"),
    ({"query": "up", "end": "2", "step": "1"}, "start"),
    ({"query": "up", "start": "yesterday", "end": "2", "step": "1"}, "start"),
    ({"query": "up", "start": "1", "end": "nan", "step": "1"}, "end"),
    ({"query": "up", "start": "10", "end": "2", "step": "1"}, "end"),
    ({"query": "up", "start": "1", "end": "2", "step": "0"}, "step"),
    ({"query": "up", "start": "1", "end": "2", "step": "fast"}, "step"),
    ({"query": "up", "start": "0", "end": "86400", "step": "1"}, "step"),
    ({"query": "up", "start": "1", "end": "2", "step": "1", "item": "x"}, "item"),
    ({"query": "x" * 2001, "start": "1", "end": "2", "step": "1"}, "query"),
])
def test_it_refuses_bad_parameters_naming_the_parameter(
        alice: Any, api: Callable[[Any], APIClient], query: dict[str, str], field: str) -> None:
    assert list(field_errors(api(alice).get(URL, query))) == [field]


def test_it_accepts_rfc3339_times_and_durations(alice: Any) -> None:
    from careops.monitoring.api.views import parse_step, parse_time

    assert parse_time("start", "2026-01-01T00:00:00+08:00") == 1767196800000
    assert parse_time("start", "1767196800.5") == 1767196800500
    assert parse_step("1h30m") == 5_400_000
    assert parse_step("250ms") == 250


def test_it_hides_items_the_user_may_not_see(
        hospital: Hospital, bob: Any, sysadmin: Any, api: Callable[[Any], APIClient]) -> None:
    response = api(bob).get(URL, params("up", item=hospital.his_host.pk))
    assert response.status_code == 404
    assert api(sysadmin).get(URL, params("up")).status_code == 403


@pytest.mark.real_clock
def test_it_scopes_every_selector_to_the_users_items_on_victoriametrics(
        hospital: Hospital, alice: Any, bob: Any, vm: VictoriaMetrics,
        api: Callable[[Any], APIClient]) -> None:
    from careops.monitoring.storage import get_store

    store = get_store()
    for item, value in ((hospital.lis_host, 1.0), (hospital.his_host, 10.0)):
        store.write([Sample("node_load1", {}, value, NOW_S * 1000 + i * 15_000)
                     for i in range(5)], default_ts_ms=0,
                    extra_labels={"job": "node", "careops_item": item.code})
    vm.force_flush()
    query = params("sum(node_load1)")
    deadline = time.monotonic() + 20
    while True:
        everything = api(alice).get(URL, query).json()["data"]["result"]
        if (everything and float(everything[0]["values"][-1][1]) == 11.0) or \
                time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert [float(v) for _, v in everything[0]["values"]] == [11.0] * 5
    # bob sees LIS only: the sum is over his item alone, not a filtered view of the total
    mine = api(bob).get(URL, query).json()
    assert mine["status"] == "success"
    assert [float(v) for _, v in mine["data"]["result"][0]["values"]] == [1.0] * 5
    one = api(alice).get(URL, params("node_load1", item=hospital.his_host.pk)).json()
    assert [r["metric"]["careops_item"] for r in one["data"]["result"]] == [
        hospital.his_host.code]
    bad = api(alice).get(URL, params("sum(node_load1"))
    assert "query" in field_errors(bad)


def test_it_answers_503_with_the_reason_when_the_store_is_down(
        alice: Any, vm: VictoriaMetrics, api: Callable[[Any], APIClient]) -> None:
    vm.stop()
    response = api(alice).get(URL, params("up"))
    assert response.status_code == 503
    assert "unreachable" in response.json()["error"]["message"]


def test_it_reports_the_store_health(alice: Any, api: Callable[[Any], APIClient]) -> None:
    status.record("embedded", reachable=False, buffered=12, dropped=3, error="down")
    body = api(alice).get("/api/v1/monitoring/store/").json()
    assert (body["backend"], body["reachable"], body["buffered"], body["dropped"]) == (
        "embedded", False, 12, 3)


# --- pages ------------------------------------------------------------------------------
def test_it_shows_a_hosts_charts_checks_and_the_store_health(
        hospital: Hospital, alice: Any, verified_client: Callable[[Any], Any]) -> None:
    host = hospital.lis_host
    create_check(alice, host, kind="tcp", target="10.1.2.10:22")
    status.record("embedded", reachable=True, buffered=0, dropped=7)
    page = verified_client(alice).get(f"/monitoring/items/{host.pk}/metrics/")
    assert page.status_code == 200
    html = page.content.decode()
    for key in ("cpu", "memory", "disk", "load", "success", "latency"):
        assert f'data-testid="chart-{key}"' in html
    assert f'data-item="{host.pk}"' in html  # the API limits the charts' queries to it
    assert "10.1.2.10:22" in html and "Not run yet" in html
    assert 'data-testid="store-dropped">7<' in html
    assert "vendor/echarts/echarts.min.js" in html and "careops/metrics.js" in html


def test_it_shows_probe_charts_for_other_items_and_404_to_outsiders(
        hospital: Hospital, bob: Any, verified_client: Callable[[Any], Any]) -> None:
    client = verified_client(bob)
    html = client.get(f"/monitoring/items/{hospital.lis_db.pk}/metrics/").content.decode()
    assert 'data-testid="chart-success"' in html and 'data-testid="chart-cpu"' not in html
    assert client.get(f"/monitoring/items/{hospital.his_host.pk}/metrics/").status_code == 404


def test_it_adds_a_metrics_card_to_the_item_page_once_there_is_something(
        hospital: Hospital, alice: Any, verified_client: Callable[[Any], Any]) -> None:
    client = verified_client(alice)
    host = hospital.his_host
    assert 'data-testid="item-metrics-card"' not in client.get(
        f"/cmdb/items/{host.pk}/").content.decode()
    EmbeddedStore().write([Sample("up", {}, 1.0)], default_ts_ms=1000,
                          extra_labels={"careops_item": host.code})
    html = client.get(f"/cmdb/items/{host.pk}/").content.decode()
    assert 'data-testid="item-metrics-card"' in html
    assert f"/monitoring/items/{host.pk}/metrics/" in html
