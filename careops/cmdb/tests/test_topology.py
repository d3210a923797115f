"""The topology page and its JSON: shape, scoping, filters, health, query count."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careops.cmdb import graph as cmdb_graph
from careops.cmdb import health
from careops.cmdb.actions import relations
from careops.cmdb.models import Host, NetworkDevice
from careops.cmdb.tests.factories import Hospital

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
DATA = "cmdb:topology_data"


@pytest.fixture
def hospital(alice: Any, bob: Any, charlie: Any) -> Hospital:
    """HIS and LIS; bob works for LIS's vendor, charlie in the laboratory."""
    h = Hospital(alice)
    relations.add(alice, h.lis, "runs_on", h.lis_host)
    relations.add(alice, h.lis, "uses_database", h.lis_db)
    relations.add(alice, h.his, "runs_on", h.his_host)
    h.vendor.engineers.add(bob)
    h.lab.members.add(charlie)
    return h


@pytest.fixture
def no_health_provider() -> Iterator[None]:
    before = health._provider  # monitoring's, installed when the app is ready
    yield
    health.set_provider(before)


def fetch(client: Any, **params: Any) -> dict[str, Any]:
    response = client.get(reverse(DATA), params)
    assert response.status_code == 200, response.content
    data: dict[str, Any] = response.json()
    return data


def codes(data: dict[str, Any]) -> set[str]:
    return {node["code"] for node in data["nodes"]}


def edge_codes(data: dict[str, Any]) -> set[tuple[str, str, str]]:
    code = {node["id"]: node["code"] for node in data["nodes"]}
    return {(code[e["source"]], e["type"], code[e["target"]]) for e in data["edges"]}


def test_it_serves_the_graph_of_systems_hosts_databases_and_interfaces(
        hospital: Hospital, alice: Any, verified_client: Any) -> None:
    data = fetch(verified_client(alice))
    assert codes(data) == {"HIS", "LIS", "SRV-LIS", "SRV-HIS", "DB-LIS", "IF-HIS-LIS"}
    his = next(n for n in data["nodes"] if n["code"] == "HIS")
    assert his["kind"] == "system" and his["name"] == "医院信息系统"
    assert his["criticality"] == 1 and his["patient_safety"] is True
    assert his["status"] == "active" and his["health"] is None
    host = next(n for n in data["nodes"] if n["code"] == "SRV-LIS")
    assert host["zone"] == "internal" and host["hostname"] == "lis-app"
    assert edge_codes(data) == {
        ("LIS", "runs_on", "SRV-LIS"), ("LIS", "uses_database", "DB-LIS"),
        ("HIS", "runs_on", "SRV-HIS"), ("DB-LIS", "runs_on", "SRV-LIS"),
        ("LIS", "connects_via", "IF-HIS-LIS"), ("IF-HIS-LIS", "depends_on", "HIS"),
    }
    assert data["labels"]["relation"]["runs_on"] == "runs on"
    assert data["labels"]["kind"]["system"] == "Business system"
    assert data["labels"]["health"]["unknown"] == "Unknown"
    assert data["filters"] == {"system": None, "zone": None, "rooms": False}


def test_it_adds_rooms_and_devices_on_request(hospital: Hospital, alice: Any,
                                              verified_client: Any) -> None:
    switch = hospital.make(NetworkDevice, code="SW-CORE", name="核心交换机",
                           device_kind="switch", room=hospital.server_room)
    data = fetch(verified_client(alice), rooms="1")
    assert {"DC-1", "SW-CORE"} <= codes(data)
    assert ("SRV-LIS", "located_in", "DC-1") in edge_codes(data)
    assert ("SW-CORE", "located_in", "DC-1") in edge_codes(data)
    assert data["filters"]["rooms"] is True
    assert switch.pk in {n["id"] for n in data["nodes"]}


def test_bob_sees_only_his_systems_part_and_no_edge_leaves_it(
        hospital: Hospital, bob: Any, verified_client: Any) -> None:
    for params in ({}, {"rooms": "1"}):
        data = fetch(verified_client(bob), **params)
        assert codes(data) == {"LIS", "SRV-LIS", "DB-LIS", "IF-HIS-LIS"}
        ids = {node["id"] for node in data["nodes"]}
        assert all(e["source"] in ids and e["target"] in ids for e in data["edges"])
        # The interface depends on HIS, which bob cannot see: that edge is not drawn.
        assert not any(e["type"] == "depends_on" for e in data["edges"])


def test_charlie_sees_only_his_departments_systems(hospital: Hospital, charlie: Any,
                                                   verified_client: Any) -> None:
    data = fetch(verified_client(charlie))
    assert codes(data) == {"LIS"}
    assert data["edges"] == []


def test_it_filters_by_business_system_and_its_neighbourhood(
        hospital: Hospital, alice: Any, verified_client: Any) -> None:
    data = fetch(verified_client(alice), system=hospital.his.pk)
    # HIS, its host, its interface to LIS and LIS at the other end; not LIS's own items.
    assert codes(data) == {"HIS", "SRV-HIS", "IF-HIS-LIS", "LIS"}
    assert data["filters"]["system"] == hospital.his.pk
    data = fetch(verified_client(alice), system=hospital.lis.pk, rooms="on")
    assert codes(data) == {"LIS", "SRV-LIS", "DB-LIS", "IF-HIS-LIS", "HIS", "DC-1"}


def test_it_filters_by_network_zone(hospital: Hospital, alice: Any,
                                    verified_client: Any) -> None:
    Host.objects.filter(pk=hospital.lis_host.pk).update(network_zone="dmz")
    cmdb_graph.invalidate()
    data = fetch(verified_client(alice), zone="dmz")
    # The DMZ host and what runs on it or uses what runs on it.
    assert codes(data) == {"SRV-LIS", "DB-LIS", "LIS"}
    assert fetch(verified_client(alice), zone="device")["nodes"] == []
    both = fetch(verified_client(alice), zone="internal", system=hospital.his.pk)
    assert codes(both) == {"HIS", "SRV-HIS"}


def test_it_names_the_bad_filter(hospital: Hospital, alice: Any, bob: Any,
                                 verified_client: Any) -> None:
    client = verified_client(alice)
    response = client.get(reverse(DATA), {"system": "HIS", "zone": "moon"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error["fields"]) == {"system", "zone"}
    assert "moon" in error["fields"]["zone"][0]
    # A system bob may not see is as unknown to him as one that does not exist.
    response = verified_client(bob).get(reverse(DATA), {"system": hospital.his.pk})
    assert response.status_code == 400
    assert "system" in response.json()["error"]["fields"]


def test_it_carries_health_from_the_monitoring_provider(
        hospital: Hospital, alice: Any, verified_client: Any, no_health_provider: None) -> None:
    health.set_provider(lambda ids: {hospital.lis_host.pk: "critical", hospital.his.pk: "bogus"})
    data = fetch(verified_client(alice))
    by_code = {node["code"]: node for node in data["nodes"]}
    assert by_code["SRV-LIS"]["health"] == "critical"
    assert by_code["HIS"]["health"] is None  # an unknown state is not passed on
    assert by_code["LIS"]["health"] is None


def _add_hosts(actor: Any, hospital: Hospital, count: int, start: int) -> None:
    for n in range(start, start + count):
        host = hospital.make(Host, code=f"VM-{n:03d}", name=f"虚拟机 {n}", hostname=f"vm{n}",
                             os_family="kylin", room=hospital.server_room)
        relations.add(actor, hospital.lis, "depends_on", host)


def _count_queries(client: Any, **params: Any) -> int:
    cmdb_graph.invalidate()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(DATA), params)
    assert response.status_code == 200
    return len(queries)


def test_the_data_endpoint_runs_a_constant_number_of_queries(
        hospital: Hospital, alice: Any, bob: Any, verified_client: Any) -> None:
    _add_hosts(alice, hospital, 5, 0)
    small = {name: _count_queries(verified_client(user), rooms="1")
             for name, user in (("alice", alice), ("bob", bob))}
    _add_hosts(alice, hospital, 45, 5)
    for name, user in (("alice", alice), ("bob", bob)):
        client = verified_client(user)
        assert _count_queries(client, rooms="1") == small[name]
    assert len(fetch(verified_client(alice))["nodes"]) >= 56


def test_it_explains_the_impact_of_an_item(hospital: Hospital, alice: Any, bob: Any,
                                           verified_client: Any) -> None:
    url = reverse("cmdb:topology_impact", args=[hospital.lis_host.pk])
    body = verified_client(alice).get(url).json()
    assert set(body["affected"]) == {hospital.lis.pk, hospital.lis_db.pk}
    assert body["worst_criticality"] == 2 and body["patient_safety"] is False
    assert [s["name"] for s in body["systems"]] == ["检验信息系统"]
    his = verified_client(alice).get(
        reverse("cmdb:topology_impact", args=[hospital.his.pk])).json()
    assert his["patient_safety"] is True and his["worst_criticality"] == 1
    # bob cannot ask about HIS, nor learn which of its parts he cannot see fail.
    response = verified_client(bob).get(reverse("cmdb:topology_impact", args=[hospital.his.pk]))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    body = verified_client(bob).get(
        reverse("cmdb:topology_impact", args=[hospital.his_host.pk]))
    assert body.status_code == 404


def test_the_page_offers_the_filters(hospital: Hospital, alice: Any, bob: Any,
                                     verified_client: Any) -> None:
    response = verified_client(alice).get(reverse("cmdb:topology"),
                                          {"system": hospital.lis.pk, "rooms": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{hospital.lis.pk}" selected>' in html
    assert "医院信息系统 (HIS)" in html
    assert 'name="rooms" value="1" id="topology-rooms" checked' in html
    assert reverse(DATA) in html and "careops/topology.js" in html
    assert "<script>" not in html and "style=" not in html
    html = verified_client(bob).get(reverse("cmdb:topology")).content.decode()
    assert "检验信息系统 (LIS)" in html and "医院信息系统 (HIS)" not in html


def test_it_refuses_the_platform_administrators(sysadmin: Any, client: Any,
                                                verified_client: Any) -> None:
    assert client.get(reverse(DATA)).status_code == 302  # to the login page
    logged_in = verified_client(sysadmin)
    assert logged_in.get(reverse("cmdb:topology")).status_code == 403
    assert logged_in.get(reverse(DATA)).status_code == 403


def test_navigation_links_topology_and_locations(alice: Any, verified_client: Any) -> None:
    client = verified_client(alice)
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("cmdb:index") in home
    # Topology and locations sit in the CMDB's own navigation, on every CMDB page.
    html = client.get(reverse("cmdb:index")).content.decode()
    assert reverse("cmdb:topology") in html and reverse("cmdb:locations") in html
