"""The CMDB REST API and the Prometheus file_sd export, as alice, bob and charlie see them.

alice is the hospital administrator; bob a vendor engineer of the LIS vendor (he sees
LIS and what it runs on); charlie a department user of the outpatient department
(he sees HIS, read-only).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from careops.cmdb.actions import items, relations
from careops.cmdb.api.urls import ROUTES
from careops.cmdb.models import (
    BackupJob,
    Building,
    BusinessSystem,
    Contact,
    DatabaseInstance,
    Department,
    Floor,
    Host,
    Interface,
    NetworkDevice,
    Relation,
    Room,
    Service,
    Site,
    StorageDevice,
    Vendor,
)
from careops.cmdb.tests.factories import Hospital
from careops.core.models import AuditRecord

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

API = "/api/v1/cmdb"


@pytest.fixture
def hospital(alice: Any, bob: Any, charlie: Any) -> Hospital:
    h = Hospital(alice)
    relations.add(alice, h.lis, "runs_on", h.lis_host)
    relations.add(alice, h.lis, "uses_database", h.lis_db)
    items.update(alice, h.vendor, {}, m2m={"engineers": [bob]})
    items.update(alice, h.outpatient, {}, m2m={"members": [charlie]})
    return h



def codes(response: Any) -> list[str]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return sorted(row["code"] for row in rows)


# --- CRUD ---------------------------------------------------------------------------

def test_it_creates_reads_changes_and_deletes_a_host_by_code(
        hospital: Hospital, alice: Any, api: Callable[[Any], APIClient]) -> None:
    client = api(alice)
    response = client.post(f"{API}/hosts/", {
        "code": "SRV-PACS", "name": "PACS 服务器", "hostname": "pacs-app",
        "addresses": ["10.1.3.5"], "os_family": "kylin", "room": "DC-1", "vendor": "V-LIS",
        "disks": [{"mount": "/", "size_gb": 200}], "tags": ["imaging"],
        "monitoring_endpoints": [{"job": "node", "target": "10.1.3.5:9100"}]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "host"
    assert body["room"] == {"id": hospital.server_room.pk, "code": "DC-1", "name": "中心机房",
                            "kind": "room"}
    assert body["vendor"]["code"] == "V-LIS"
    host = Host.objects.get(code="SRV-PACS")
    assert host.room == hospital.server_room and host.addresses == ["10.1.3.5"]

    assert client.get(f"{API}/hosts/SRV-PACS/").json()["id"] == host.pk
    assert client.get(f"{API}/hosts/{host.pk}/").json()["code"] == "SRV-PACS"

    response = client.patch(f"{API}/hosts/SRV-PACS/", {"os_version": "V10 SP3", "room": None},
                            format="json")
    assert response.status_code == 200, response.json()
    host.refresh_from_db()
    assert host.os_version == "V10 SP3" and host.room is None
    update = AuditRecord.objects.filter(action="update", object_id=str(host.pk)).get()
    assert update.changes["os_version"] == ["", "V10 SP3"]

    assert client.delete(f"{API}/hosts/SRV-PACS/").status_code == 204
    assert not Host.objects.filter(code="SRV-PACS").exists()
    assert AuditRecord.objects.filter(action="delete", object_id=str(host.pk)).exists()


def test_it_writes_many_to_many_and_plain_records_by_code(
        hospital: Hospital, alice: Any, bob: Any, api: Callable[[Any], APIClient]) -> None:
    client = api(alice)
    response = client.post(f"{API}/systems/", {
        "code": "PACS", "name": "影像归档和通信系统", "category": "medical_technical",
        "criticality": 2, "departments": ["LAB", hospital.outpatient.pk],
        "maintainers": ["V-LIS"], "owner": "alice"}, format="json")
    assert response.status_code == 201, response.json()
    pacs = BusinessSystem.objects.get(code="PACS")
    assert set(pacs.departments.all()) == {hospital.lab, hospital.outpatient}
    assert [d["code"] for d in response.json()["departments"]] == ["LAB", "OPD"]
    assert response.json()["owner"]["username"] == "alice"

    response = client.post(f"{API}/databases/", {
        "code": "DB-PACS", "name": "PACS 库", "engine": "dm", "host": "SRV-LIS", "port": 5236,
        "databases": ["pacs"]}, format="json")
    assert response.status_code == 201, response.json()
    assert DatabaseInstance.objects.get(code="DB-PACS").host == hospital.lis_host

    response = client.post(f"{API}/contacts/", {
        "vendor": "V-LIS", "name": "张工", "phone": "13800000000", "escalation_level": 2},
        format="json")
    assert response.status_code == 201, response.json()
    vendor = client.get(f"{API}/vendors/V-LIS/").json()
    assert [c["name"] for c in vendor["contacts"]] == ["张工"]
    assert vendor["engineers"] == [{"id": bob.pk, "username": "bob", "name": "Bob 李"}]

    response = client.put(f"{API}/sites/MAIN/", {"code": "MAIN", "name": "总院（东院区）",
                                                 "address": "解放路 1 号"}, format="json")
    assert response.status_code == 200, response.json()
    assert Site.objects.get(code="MAIN").address == "解放路 1 号"


def test_it_names_each_bad_field(hospital: Hospital, alice: Any,
                                 api: Callable[[Any], APIClient]) -> None:
    client = api(alice)
    response = client.post(f"{API}/hosts/", {
        "code": "SRV-X", "name": "x", "hostname": "x", "os_family": "beos",
        "room": "NOWHERE", "monitoring_endpoints": [{"job": "snmp", "target": "a:1"}]},
        format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"os_family", "room", "monitoring_endpoints"}
    assert "NOWHERE" in fields["room"][0]
    # What only the action knows: an address that is none, a code another class uses.
    response = client.post(f"{API}/hosts/", {
        "code": "HIS", "name": "x", "hostname": "x", "os_family": "rhel",
        "addresses": ["10.0.0.300"]}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"code", "addresses"}
    assert not Host.objects.filter(name="x").exists()


# --- relations ----------------------------------------------------------------------

def test_it_relates_items_by_code_and_refuses_a_cycle_naming_it(
        hospital: Hospital, alice: Any, api: Callable[[Any], APIClient]) -> None:
    client = api(alice)
    response = client.post(f"{API}/hosts/", {"code": "HV-1", "name": "虚拟化主机",
                                             "hostname": "hv1", "os_family": "linux"},
                           format="json")
    assert response.status_code == 201
    response = client.post(f"{API}/relations/", {"source": "SRV-LIS", "type": "runs_on",
                                                 "target": "HV-1"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["source"]["code"] == "SRV-LIS"
    assert response.json()["target"]["kind"] == "host"

    response = client.post(f"{API}/relations/", {"source": "HV-1", "type": "runs_on",
                                                 "target": "SRV-LIS"}, format="json")
    assert response.status_code == 400
    assert "HV-1 → SRV-LIS → HV-1" in response.json()["error"]["fields"]["type"][0]

    response = client.post(f"{API}/relations/", {"source": "LIS", "type": "located_in",
                                                 "target": "HV-1"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["type"]

    listed = client.get(f"{API}/relations/", {"source": "LIS"}).json()["results"]
    assert sorted(r["target"]["code"] for r in listed) == ["DB-LIS", "SRV-LIS"]
    listed = client.get(f"{API}/relations/", {"target": "HV-1", "type": "runs_on"}).json()
    assert [r["source"]["code"] for r in listed["results"]] == ["SRV-LIS"]
    assert client.get(f"{API}/relations/", {"source": "NOPE"}).status_code == 400

    relation = Relation.objects.get(source=hospital.lis_host)
    assert client.delete(f"{API}/relations/{relation.pk}/").status_code == 204
    assert not Relation.objects.filter(pk=relation.pk).exists()


# --- deleting what is in use ----------------------------------------------------------

def test_it_refuses_to_delete_an_item_in_use_listing_dependents_then_cascades(
        hospital: Hospital, alice: Any, api: Callable[[Any], APIClient]) -> None:
    client = api(alice)
    response = client.delete(f"{API}/hosts/SRV-LIS/")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "in_use" and "SRV-LIS" in error["message"]
    dependents = {(d["item"]["code"], d["removed_with_cascade"]) for d in error["dependents"]}
    assert dependents == {("LIS", False), ("DB-LIS", False)}
    assert Host.objects.filter(code="SRV-LIS").exists()

    assert client.delete(f"{API}/hosts/SRV-LIS/?cascade=true").status_code == 204
    assert not Host.objects.filter(code="SRV-LIS").exists()
    assert DatabaseInstance.objects.get(code="DB-LIS").host is None

    response = client.delete(f"{API}/systems/HIS/")
    assert response.status_code == 409
    [interface] = response.json()["error"]["dependents"]
    assert interface["item"]["code"] == "IF-HIS-LIS" and interface["removed_with_cascade"]
    assert client.delete(f"{API}/systems/HIS/?cascade=1").status_code == 204
    assert not Interface.objects.exists()


# --- access -------------------------------------------------------------------------

def test_bob_sees_and_edits_only_his_systems_items(
        hospital: Hospital, bob: Any, api: Callable[[Any], APIClient]) -> None:
    client = api(bob)
    assert codes(client.get(f"{API}/items/")) == ["DB-LIS", "IF-HIS-LIS", "LIS", "SRV-LIS"]
    assert codes(client.get(f"{API}/hosts/")) == ["SRV-LIS"]
    # The hospital's directory (departments with their members, vendors with their
    # engineers, contacts) is not his to read, here as on the pages.
    assert codes(client.get(f"{API}/vendors/")) == []
    assert codes(client.get(f"{API}/departments/")) == []
    assert client.get(f"{API}/systems/HIS/").status_code == 404
    assert client.get(f"{API}/items/SRV-HIS/impact/").status_code == 404
    assert client.patch(f"{API}/hosts/SRV-HIS/", {"rack": "A1"},
                        format="json").status_code == 404

    response = client.patch(f"{API}/hosts/SRV-LIS/", {"rack": "A-07"}, format="json")
    assert response.status_code == 200, response.json()
    assert Host.objects.get(code="SRV-LIS").rack == "A-07"

    response = client.post(f"{API}/hosts/", {"code": "SRV-NEW", "name": "n", "hostname": "n",
                                             "os_family": "rhel"}, format="json")
    assert response.status_code == 403
    assert client.delete(f"{API}/hosts/SRV-LIS/").status_code == 403
    assert client.patch(f"{API}/vendors/V-LIS/", {"phone": "1"},
                        format="json").status_code in (403, 404)
    # A database of his may not be moved onto a host he cannot see.
    response = client.patch(f"{API}/databases/DB-LIS/", {"host": "SRV-HIS"}, format="json")
    assert response.status_code == 400 and "host" in response.json()["error"]["fields"]
    assert Host.objects.filter(code="SRV-LIS").exists()


def test_charlie_sees_his_departments_systems_read_only(
        hospital: Hospital, charlie: Any, api: Callable[[Any], APIClient]) -> None:
    client = api(charlie)
    assert codes(client.get(f"{API}/systems/")) == ["HIS"]
    assert codes(client.get(f"{API}/items/")) == ["HIS"]
    assert codes(client.get(f"{API}/hosts/")) == []
    assert client.get(f"{API}/systems/LIS/").status_code == 404
    assert client.get(f"{API}/systems/HIS/").json()["criticality"] == 1
    response = client.patch(f"{API}/systems/HIS/", {"version": "9"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["status"] == 403
    assert client.post(f"{API}/relations/", {"source": "HIS", "type": "runs_on",
                                             "target": "SRV-HIS"},
                       format="json").status_code == 403


@pytest.mark.parametrize("path", ["systems/", "items/", "relations/", "sites/", "file-sd/"])
def test_platform_administrators_get_no_business_data(
        hospital: Hospital, sysadmin: Any, secadmin: Any, auditadmin: Any, path: str,
        api: Callable[[Any], APIClient]) -> None:
    for user in (sysadmin, secadmin, auditadmin):
        assert api(user).get(f"{API}/{path}").status_code == 403
    assert APIClient().get(f"{API}/{path}").status_code == 401


# --- query counts -------------------------------------------------------------------

def _rows(h: Hospital, model: Any, start: int, count: int) -> None:
    """``count`` more rows of ``model``, with every relation its list shows filled in."""
    for i in range(start, start + count):
        code = f"{model.__name__[:6].upper()}-{i}"
        m2m: dict[str, Any] | None = None
        fields: dict[str, Any] = {"code": code, "name": f"{code} 名称"}
        if model is Building:
            fields["site"] = h.site
        elif model is Floor:
            fields.update(building=h.building, level=i)
        elif model is Room:
            fields.update(floor=h.floor, department=h.lab)
        elif model is Department:
            fields["site"] = h.site
            m2m = {"members": [h.actor]}
        elif model is Vendor:
            m2m = {"engineers": [h.actor]}
        elif model is BusinessSystem:
            fields.update(category="clinical", vendor=h.vendor, owner=h.actor)
            m2m = {"departments": [h.lab, h.outpatient], "maintainers": [h.vendor]}
        elif model is Host:
            fields.update(hostname=code.lower(), os_family="rhel", room=h.server_room,
                          vendor=h.vendor)
        elif model is DatabaseInstance:
            fields.update(engine="postgresql", host=h.lis_host)
        elif model is Service:
            fields.update(service_kind="web", host=h.lis_host)
        elif model is Interface:
            fields.update(protocol="rest", source_system=h.his, target_system=h.lis)
        elif model is NetworkDevice:
            fields.update(device_kind="switch", room=h.server_room)
        elif model is StorageDevice:
            fields.update(storage_kind="nas", room=h.server_room)
        elif model is BackupJob:
            fields.update(method="full", schedule="daily 01:00", retention_days=30)
        elif model is Contact:
            fields = {"vendor": h.vendor, "department": h.lab, "name": code}
        if model is Relation:
            host = h.make(Host, code=code, name=code, hostname=code.lower(), os_family="rhel")
            relations.add(h.actor, h.his, "runs_on", host)
        else:
            h.make(model, m2m=m2m, **fields)
    if model is Vendor:
        h.make(Contact, vendor=Vendor.objects.latest("pk"), name="联系人")


@pytest.mark.parametrize("path", [*ROUTES, "relations", "items"])
def test_lists_cost_the_same_queries_for_5_and_50_rows(
        hospital: Hospital, alice: Any, bob: Any, path: str, api: Callable[[Any], APIClient],
        django_assert_max_num_queries: Any) -> None:
    model = ROUTES.get(path, Relation if path == "relations" else Host)
    _rows(hospital, model, 0, 5)
    clients = {user: api(user) for user in (alice, bob)}
    counts = {}
    for user, client in clients.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{API}/{path}/", {"limit": 200})
        assert response.status_code == 200
        counts[user] = len(queries)
    _rows(hospital, model, 5, 45)
    for user, client in clients.items():
        with django_assert_max_num_queries(counts[user]):
            response = client.get(f"{API}/{path}/", {"limit": 200})
        assert response.status_code == 200
    assert clients[alice].get(f"{API}/{path}/", {"limit": 200}).json()["count"] >= 50


# --- impact -------------------------------------------------------------------------

def test_it_tells_the_impact_of_an_item_with_paths(
        hospital: Hospital, alice: Any, api: Callable[[Any], APIClient]) -> None:
    client = api(alice)
    body = client.get(f"{API}/items/HIS/impact/").json()
    assert body["item"]["code"] == "HIS"
    assert [(s["code"], s["path"]) for s in body["systems"]] == [
        ("HIS", ["HIS"]), ("LIS", ["HIS", "IF-HIS-LIS", "LIS"])]
    assert body["systems"][0]["criticality"] == 1 and body["systems"][0]["patient_safety"]
    assert [(d["code"], d["systems"]) for d in body["departments"]] == [
        ("LAB", ["LIS"]), ("OPD", ["HIS"])]
    assert [i["code"] for i in body["interfaces"]] == ["IF-HIS-LIS"]
    assert body["worst_criticality"] == 1 and body["patient_safety"] is True
    assert body["hidden"] == 0

    body = client.get(f"{API}/items/{hospital.lis_db.pk}/impact/").json()
    assert [(s["code"], s["path"]) for s in body["systems"]] == [("LIS", ["DB-LIS", "LIS"])]
    assert body["worst_criticality"] == 2 and body["patient_safety"] is False
    assert body["interfaces"] == []

    body = client.get(f"{API}/items/DC-1/impact/").json()
    assert {i["code"] for i in body["items"]} >= {"SRV-LIS", "SRV-HIS", "DB-LIS", "LIS"}


def test_bob_sees_the_totals_of_an_impact_but_not_other_vendors_systems(
        hospital: Hospital, alice: Any, bob: Any, api: Callable[[Any], APIClient]) -> None:
    relations.add(alice, hospital.his, "uses_database", hospital.lis_db)
    body = api(bob).get(f"{API}/items/DB-LIS/impact/").json()
    assert [s["code"] for s in body["systems"]] == ["LIS"]
    assert body["worst_criticality"] == 1 and body["patient_safety"] is True
    assert body["hidden"] == 1
    assert "HIS" not in json.dumps(body["departments"])


# --- Prometheus file_sd -------------------------------------------------------------

@pytest.fixture
def monitored(hospital: Hospital, alice: Any) -> Hospital:
    h = hospital
    items.update(alice, h.lis_host, {"monitoring_endpoints": [
        {"job": "node", "target": "10.1.2.10:9100"}]})
    items.update(alice, h.his_host, {"network_zone": "dmz", "monitoring_endpoints": [
        {"job": "windows", "target": "10.1.2.20:9182"}]})
    items.update(alice, h.lis_db, {"monitoring_endpoints": [
        {"job": "other", "target": "10.1.2.10:9161", "path": "/oracle/metrics"},
        {"job": "other", "target": "10.1.2.11:9161", "path": "/oracle/metrics"}]})
    h.make(Host, code="SRV-OLD", name="旧服务器", hostname="old", os_family="rhel",
           status="retired", monitoring_endpoints=[{"job": "node", "target": "10.1.9.9:9100"}])
    h.make(Host, code="SRV-NEW", name="新服务器", hostname="new", os_family="rhel",
           status="planned", monitoring_endpoints=[{"job": "node", "target": "10.1.9.8:9100"}])
    items.update(alice, h.his, {"monitoring_endpoints": [
        {"job": "blackbox", "target": "his.hospital.local:443"}]})
    return h


INTERNAL = [
    {"targets": ["10.1.2.10:9161", "10.1.2.11:9161"],
     "labels": {"job": "other", "careops_zone": "internal", "careops_item": "DB-LIS",
                "careops_kind": "database", "careops_systems": "LIS",
                "__metrics_path__": "/oracle/metrics"}},
    {"targets": ["10.1.2.10:9100"],
     "labels": {"job": "node", "careops_zone": "internal", "careops_item": "SRV-LIS",
                "careops_kind": "host", "careops_systems": "LIS"}},
]


def _assert_file_sd_shape(groups: Any) -> None:
    assert isinstance(groups, list)
    for group in groups:
        assert set(group) == {"targets", "labels"}
        assert group["targets"] and all(isinstance(t, str) for t in group["targets"])
        labels = group["labels"]
        assert {"job", "careops_zone", "careops_item", "careops_kind",
                "careops_systems"} <= set(labels) <= {
            "job", "careops_zone", "careops_item", "careops_kind", "careops_systems",
            "__metrics_path__"}
        assert all(isinstance(v, str) for v in labels.values())


def test_file_sd_lists_targets_of_one_zone_exactly(
        monitored: Hospital, alice: Any, api: Callable[[Any], APIClient]) -> None:
    response = api(alice).get(f"{API}/file-sd/", {"zone": "internal"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == INTERNAL


def test_file_sd_separates_zones_and_leaves_out_retired_and_planned_items(
        monitored: Hospital, alice: Any, api: Callable[[Any], APIClient]) -> None:
    groups = api(alice).get(f"{API}/file-sd/").json()
    _assert_file_sd_shape(groups)
    by_item = {g["labels"]["careops_item"]: g["labels"]["careops_zone"] for g in groups}
    assert by_item == {"DB-LIS": "internal", "SRV-LIS": "internal", "SRV-HIS": "dmz",
                       "HIS": "unassigned"}
    dmz = api(alice).get(f"{API}/file-sd/", {"zone": "dmz"}).json()
    assert [g["labels"]["careops_item"] for g in dmz] == ["SRV-HIS"]
    assert dmz[0]["labels"]["careops_systems"] == ""
    nodes = api(alice).get(f"{API}/file-sd/", {"job": "node"}).json()
    assert [g["targets"] for g in nodes] == [["10.1.2.10:9100"]]
    response = api(alice).get(f"{API}/file-sd/", {"zone": "moon"})
    assert response.status_code == 400 and "zone" in response.json()["error"]["fields"]


def test_file_sd_follows_the_host_when_it_moves_zone(
        monitored: Hospital, alice: Any, api: Callable[[Any], APIClient]) -> None:
    items.update(alice, monitored.lis_host, {"network_zone": "device"})
    device = api(alice).get(f"{API}/file-sd/", {"zone": "device"}).json()
    assert sorted(g["labels"]["careops_item"] for g in device) == ["DB-LIS", "SRV-LIS"]
    assert api(alice).get(f"{API}/file-sd/", {"zone": "internal"}).json() == []


def test_bob_gets_only_his_targets(monitored: Hospital, bob: Any,
                                   api: Callable[[Any], APIClient]) -> None:
    groups = api(bob).get(f"{API}/file-sd/").json()
    assert sorted(g["labels"]["careops_item"] for g in groups) == ["DB-LIS", "SRV-LIS"]


def test_file_sd_json_for_a_signed_in_session(
        monitored: Hospital, alice: Any, charlie: Any,
        verified_client: Callable[[Any], Any]) -> None:
    response = verified_client(alice).get("/cmdb/file-sd.json?zone=internal")
    assert response.status_code == 200 and response.json() == INTERNAL
    assert verified_client(alice).get("/cmdb/file-sd.json?zone=x").status_code == 400
    groups = verified_client(charlie).get("/cmdb/file-sd.json").json()
    assert [g["labels"]["careops_item"] for g in groups] == ["HIS"]


def test_the_command_writes_one_file_per_zone(monitored: Hospital, tmp_path: Path) -> None:
    out = tmp_path / "sd"
    call_command("cmdb", "file-sd", "--out", str(out))
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(f"{z}.json" for z in ("internal", "external", "device",
                                                 "management", "dmz", "unassigned"))
    internal = json.loads((out / "internal.json").read_text(encoding="utf-8"))
    assert internal == INTERNAL
    assert json.loads((out / "external.json").read_text()) == []
    for name in files:
        _assert_file_sd_shape(json.loads((out / name).read_text()))

    items.update(monitored.actor, monitored.lis_host, {"status": "retired"})
    call_command("cmdb", "file-sd", "--zone", "internal", "--out", str(out))
    internal = json.loads((out / "internal.json").read_text(encoding="utf-8"))
    assert [g["labels"]["careops_item"] for g in internal] == ["DB-LIS"]
    assert sorted(p.name for p in out.iterdir()) == files  # no temporary files left


def test_items_lists_every_class_filtered_by_kind_and_search(
        hospital: Hospital, alice: Any, api: Callable[[Any], APIClient]) -> None:
    client = api(alice)
    assert codes(client.get(f"{API}/items/", {"kind": "host"})) == ["SRV-HIS", "SRV-LIS"]
    rows = client.get(f"{API}/items/", {"q": "lis"}).json()["results"]
    assert sorted(r["code"] for r in rows) == ["DB-LIS", "IF-HIS-LIS", "LIS", "SRV-LIS"]
    database = next(r for r in rows if r["code"] == "DB-LIS")
    assert database["api_url"].endswith(f"/api/v1/cmdb/databases/{hospital.lis_db.pk}/")
    assert client.get(database["api_url"]).json()["engine"] == "oracle"
    assert codes(client.get(f"{API}/hosts/", {"room": "DC-1", "os_family": "rhel"})) == [
        "SRV-LIS"]


def test_the_browsable_api_renders_forms_with_related_records(
        hospital: Hospital, alice: Any, verified_client: Callable[[Any], Any]) -> None:
    response = verified_client(alice).get(f"{API}/databases/DB-LIS/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert "SRV-LIS" in response.content.decode()
