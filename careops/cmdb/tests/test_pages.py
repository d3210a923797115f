"""The CMDB pages, as alice (hospital admin), bob (vendor engineer of LIS) and
charlie (department user of the lab) use them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careops.cmdb.actions import relations
from careops.cmdb.models import (
    BackupJob,
    Building,
    BusinessSystem,
    Contact,
    DatabaseInstance,
    Department,
    Document,
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
from careops.cmdb.views.registry import BY_SLUG, ITEMS, RECORDS
from careops.core.models import AuditRecord

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def hospital(alice: Any, bob: Any, charlie: Any) -> Hospital:
    h = Hospital(alice)
    h.vendor.engineers.add(bob)  # bob works for the LIS vendor
    h.lab.members.add(charlie)  # charlie works in the lab, which LIS serves
    relations.add(alice, h.lis, "runs_on", h.lis_host)
    relations.add(alice, h.lis, "uses_database", h.lis_db)
    return h


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def item_url(item: Any, name: str = "cmdb:item_detail") -> str:
    return reverse(name, args=[item.pk])


# --- lists -----------------------------------------------------------------------------------


def make_rows(slug: str, count: int, h: Hospital, start: int) -> None:
    """``count`` rows of one class, each with the relations its list shows."""
    for n in range(start, start + count):
        code = f"{slug[:6].upper()}-{n}"
        common = {"code": code, "name": f"{slug} {n}", "vendor": h.vendor}
        if slug == "systems":
            obj = BusinessSystem.objects.create(category="clinical", **common)
            obj.departments.add(h.lab, h.outpatient)
        elif slug == "hosts":
            Host.objects.create(hostname=code.lower(), os_family="rhel",
                                addresses=[f"10.9.{n // 200}.{n % 200 + 1}"],
                                room=h.server_room, **common)
        elif slug == "databases":
            DatabaseInstance.objects.create(engine="mysql", host=h.lis_host, port=3306,
                                            databases=["a", "b"], **common)
        elif slug == "services":
            Service.objects.create(service_kind="web", host=h.his_host, **common)
        elif slug == "interfaces":
            Interface.objects.create(protocol="rest", source_system=h.his,
                                     target_system=h.lis, **common)
        elif slug == "network-devices":
            NetworkDevice.objects.create(device_kind="switch", room=h.server_room, **common)
        elif slug == "storage-devices":
            StorageDevice.objects.create(storage_kind="nas", room=h.server_room, **common)
        elif slug == "backup-jobs":
            storage = StorageDevice.objects.create(storage_kind="nas", code=f"ST-{code}",
                                                   name="nas")
            BackupJob.objects.create(method="full", schedule="daily", retention_days=7,
                                     storage=storage, **common)
        elif slug == "rooms":
            Room.objects.create(floor=h.floor, department=h.lab, **common)
        elif slug == "sites":
            site = Site.objects.create(code=code, name=code)
            Building.objects.create(site=site, code=f"B-{code}", name="b")
        elif slug == "buildings":
            Building.objects.create(site=h.site, code=code, name=code)
        elif slug == "floors":
            Floor.objects.create(building=h.building, code=code, name=code, level=n)
        elif slug == "departments":
            dep = Department.objects.create(site=h.site, code=code, name=code)
            dep.members.add(h.actor)
        elif slug == "vendors":
            Vendor.objects.create(code=code, name=code).engineers.add(h.actor)
        elif slug == "contacts":
            Contact.objects.create(vendor=h.vendor, name=code, escalation_level=n % 3 + 1)


@pytest.mark.parametrize("slug", [e.slug for e in (*ITEMS, *RECORDS)])
def test_every_list_runs_a_constant_number_of_queries(
        slug: str, alice: Any, hospital: Hospital, verified_client: Callable[..., Any],
        django_assert_max_num_queries: Any) -> None:
    client = verified_client(alice)
    entry = BY_SLUG[slug]
    url = reverse("cmdb:item_list" if entry.is_item else "cmdb:record_list", args=[slug])
    make_rows(slug, 5, hospital, 0)
    with CaptureQueriesContext(connection) as five:
        response = client.get(url)
    assert response.status_code == 200
    expected = len(five.captured_queries)
    make_rows(slug, 45, hospital, 5)
    with django_assert_max_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count >= 50
    assert len(response.context["rows"]) == 50


def test_bobs_list_also_runs_a_constant_number_of_queries(
        bob: Any, hospital: Hospital, verified_client: Callable[..., Any],
        django_assert_max_num_queries: Any) -> None:
    client = verified_client(bob)
    url = reverse("cmdb:item_list", args=["databases"])
    client.get(url)  # load the graph once
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    expected = len(before.captured_queries)  # read now: the next request resets the log
    for n in range(30):
        db = DatabaseInstance.objects.create(code=f"DB-{n}", name=f"db {n}", engine="mysql",
                                             host=hospital.lis_host)
        Relation.objects.create(source=hospital.lis, type="uses_database", target=db)
    client.get(url)
    with django_assert_max_num_queries(expected):
        response = client.get(url)
    assert response.context["page_obj"].paginator.count == 31


def test_it_filters_searches_and_sorts(alice: Any, hospital: Hospital,
                                       verified_client: Callable[..., Any]) -> None:
    client = verified_client(alice)
    url = reverse("cmdb:item_list", args=["hosts"])
    codes = [o.code for o, _ in client.get(url, {"os_family": "rhel"}).context["rows"]]
    assert codes == ["SRV-LIS"]
    codes = [o.code for o, _ in client.get(url, {"q": "10.1.2.20"}).context["rows"]]
    assert codes == ["SRV-HIS"]
    codes = [o.code for o, _ in client.get(url, {"sort": "-code"}).context["rows"]]
    assert codes == ["SRV-LIS", "SRV-HIS"]
    response = client.get(url, {"sort": "-code"})
    assert b'class="table-sort desc"' in response.content
    # Sorting by something that is not a column is ignored, not an error.
    assert client.get(url, {"sort": "credential__value"}).status_code == 200


def test_lists_offer_only_visible_items_in_their_filters(
        bob: Any, hospital: Hospital, verified_client: Callable[..., Any]) -> None:
    client = verified_client(bob)
    response = client.get(reverse("cmdb:item_list", args=["databases"]))
    host_choices = {str(label) for _, label in response.context["filter"].form.fields[
        "host"].choices}
    assert str(hospital.lis_host) in host_choices
    assert str(hospital.his_host) not in host_choices
    assert "vendor" not in response.context["filter"].form.fields


# --- access ----------------------------------------------------------------------------------


def test_bob_sees_and_edits_only_his_systems_items(
        bob: Any, hospital: Hospital, verified_client: Callable[..., Any]) -> None:
    client = verified_client(bob)
    listed = client.get(reverse("cmdb:item_list", args=["hosts"])).context["rows"]
    assert [o.code for o, _ in listed] == ["SRV-LIS"]
    assert client.get(item_url(hospital.his_host)).status_code == 404
    assert client.get(item_url(hospital.his_host, "cmdb:item_edit")).status_code == 404
    page = client.get(item_url(hospital.lis_host))
    assert page.status_code == 200
    assert b'data-testid="edit"' in page.content
    assert b'data-testid="delete"' not in page.content
    response = client.post(item_url(hospital.lis_host, "cmdb:item_edit"), {
        "name": "LIS 应用服务器", "code": "SRV-LIS", "status": "maintenance",
        "hostname": "lis-app", "addresses": "10.1.2.10\n10.1.2.11", "os_family": "rhel",
        "machine_kind": "virtual", "network_zone": "internal", "ssh_port": "22",
        "room": hospital.server_room.pk, "rack": "A-03", "disks": "/ 100\n/data 500",
        "tags": "检验, 核心"})
    assert response.status_code == 302, response.context["form"].errors
    hospital.lis_host.refresh_from_db()
    assert hospital.lis_host.addresses == ["10.1.2.10", "10.1.2.11"]
    assert hospital.lis_host.disks == [{"mount": "/", "size_gb": 100},
                                       {"mount": "/data", "size_gb": 500}]
    assert hospital.lis_host.tags == ["检验", "核心"]
    assert client.get(reverse("cmdb:item_create", args=["hosts"])).status_code == 403
    assert client.post(item_url(hospital.lis_host, "cmdb:item_delete"),
                       {"cascade": "yes"}).status_code == 403
    assert Host.objects.filter(pk=hospital.lis_host.pk).exists()
    assert client.get(reverse("cmdb:record_list", args=["vendors"])).status_code == 403


def test_charlie_sees_his_departments_systems_read_only(
        charlie: Any, hospital: Hospital, verified_client: Callable[..., Any]) -> None:
    client = verified_client(charlie)
    listed = client.get(reverse("cmdb:item_list", args=["systems"])).context["rows"]
    assert [o.code for o, _ in listed] == ["LIS"]
    assert client.get(reverse("cmdb:item_list", args=["hosts"])).context["rows"] == []
    page = client.get(item_url(hospital.lis))
    assert page.status_code == 200
    for marker in (b'data-testid="edit"', b'data-testid="delete"', b"relation-form",
                   b"document-form", b">Remove<"):
        assert marker not in page.content
    assert client.get(item_url(hospital.his)).status_code == 404
    assert client.get(item_url(hospital.lis_host)).status_code == 404
    assert client.post(item_url(hospital.lis, "cmdb:item_edit"),
                       {"name": "x"}).status_code == 403
    assert client.post(item_url(hospital.lis, "cmdb:relation_add"), {
        "direction": "out", "type": "depends_on", "other": hospital.his.pk}).status_code == 403
    assert client.post(item_url(hospital.lis, "cmdb:document_upload"), {
        "title": "t", "file": SimpleUploadedFile("a.txt", b"x")}).status_code == 403
    relation = Relation.objects.get(source=hospital.lis, type="runs_on")
    assert client.post(reverse("cmdb:relation_remove", args=[relation.pk])).status_code == 404
    assert Relation.objects.filter(pk=relation.pk).exists()
    hospital.lis.refresh_from_db()
    assert hospital.lis.name == "检验信息系统"


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditadmin"])
def test_platform_administrators_get_403_on_cmdb_pages(
        who: str, request: Any, hospital: Hospital,
        verified_client: Callable[..., Any]) -> None:
    client = verified_client(request.getfixturevalue(who))
    for url in (reverse("cmdb:index"), reverse("cmdb:item_list", args=["systems"]),
                item_url(hospital.his), reverse("cmdb:record_list", args=["sites"]),
                reverse("cmdb:record_detail", args=["sites", hospital.site.pk])):
        assert client.get(url).status_code == 403, url
    home = client.get(reverse("core:home"))
    assert reverse("cmdb:index").encode() not in home.content


def test_anonymous_users_are_sent_to_the_login(client: Any, hospital: Hospital) -> None:
    response = client.get(reverse("cmdb:index"))
    assert response.status_code == 302
    assert reverse("core:login") in response["Location"]


# --- forms -----------------------------------------------------------------------------------


def test_bad_input_is_refused_naming_the_field(alice: Any, hospital: Hospital,
                                               verified_client: Callable[..., Any]) -> None:
    client = verified_client(alice)
    response = client.post(reverse("cmdb:item_create", args=["hosts"]), {
        "name": "新服务器", "code": "SRV-NEW", "status": "active", "hostname": "new",
        "addresses": "10.1.2.300", "os_family": "rhel", "machine_kind": "virtual",
        "network_zone": "internal", "ssh_port": "22", "disks": "/data lots",
        "monitoring_endpoints": "nodes 10.1.2.3:9100"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "10.1.2.300 is not an IP address." in errors["addresses"]
    assert 'Line 1: write "mount size_gb", e.g. "/data 500".' in errors["disks"]
    assert "Unknown exporter job nodes" in errors["monitoring_endpoints"][0]
    assert b'data-field="addresses"' in response.content
    assert not Host.objects.filter(code="SRV-NEW").exists()
    response = client.post(reverse("cmdb:item_create", args=["systems"]), {
        "name": "重复", "code": "HIS", "status": "active", "category": "clinical",
        "criticality": "1", "hours_of_use": "7x24", "value_per_hour": "0"})
    assert response.status_code == 400
    assert "code" in response.context["form"].errors


def test_alice_creates_an_item_and_its_history_shows_the_change(
        alice: Any, hospital: Hospital, verified_client: Callable[..., Any]) -> None:
    client = verified_client(alice)
    response = client.post(reverse("cmdb:item_create", args=["systems"]), {
        "name": "血液透析管理系统", "code": "HD", "status": "active", "category": "clinical",
        "criticality": "2", "hours_of_use": "working_hours", "value_per_hour": "1200",
        "departments": [hospital.lab.pk], "maintainers": [hospital.vendor.pk],
        "tags": "透析, 肾内科", "go_live": "2024-05-01"})
    system = BusinessSystem.objects.get(code="HD")
    assert response.status_code == 302 and response["Location"] == item_url(system)
    assert list(system.departments.all()) == [hospital.lab]
    client.post(item_url(system, "cmdb:item_edit"), {
        "name": "血液透析管理系统", "code": "HD", "status": "maintenance",
        "category": "clinical", "criticality": "1", "hours_of_use": "7x24",
        "value_per_hour": "1200", "departments": [hospital.lab.pk, hospital.outpatient.pk],
        "maintainers": [hospital.vendor.pk], "tags": "透析"})
    page = client.get(item_url(system))
    rows = [(rec.actor_username, str(label), before, after)
            for rec, changes in page.context["history"] for label, before, after in changes]
    assert ("alice", "criticality", "2 · High", "1 · Critical") in rows
    assert ("alice", "status", "In service", "Under maintenance") in rows
    assert ("alice", "departments served", "检验科 (LAB)", "检验科 (LAB), 门诊部 (OPD)") in rows
    index = client.get(reverse("cmdb:index"))
    assert system.pk in [item.pk for item, _ in index.context["maintenance"]]


def test_charlie_reads_the_history_of_his_system(
        alice: Any, charlie: Any, hospital: Hospital,
        verified_client: Callable[..., Any]) -> None:
    from careops.cmdb.actions import items

    items.update(alice, hospital.lis, {"version": "5.2"})
    page = verified_client(charlie).get(item_url(hospital.lis))
    rows = [(str(label), after) for _, changes in page.context["history"]
            for label, _, after in changes]
    assert ("version", "5.2") in rows


# --- relations and impact --------------------------------------------------------------------


def test_the_impact_panel_names_systems_paths_and_patient_safety(
        alice: Any, hospital: Hospital, verified_client: Callable[..., Any]) -> None:
    client = verified_client(alice)
    relations.add(alice, hospital.his, "runs_on", hospital.his_host)
    impact = client.get(item_url(hospital.his_host)).context["impact"]
    assert [row["system"].code for row in impact["systems"]] == ["HIS", "LIS"]
    assert [i.code for i in impact["systems"][1]["path"]] == ["SRV-HIS", "HIS", "IF-HIS-LIS",
                                                              "LIS"]
    assert impact["patient_safety"] and impact["worst"] == 1
    assert {d.code for d in impact["departments"]} == {"LAB", "OPD"}
    assert [i.code for i in impact["interfaces"]] == ["IF-HIS-LIS"]


def test_bob_does_not_see_systems_outside_his_contracts_in_the_impact(
        alice: Any, bob: Any, hospital: Hospital, verified_client: Callable[..., Any]) -> None:
    shared = hospital.make(Host, code="SRV-SHARED", name="共享", hostname="s", os_family="rhel")
    relations.add(alice, hospital.lis, "runs_on", shared)
    relations.add(alice, hospital.his, "runs_on", shared)
    page = verified_client(bob).get(item_url(shared))
    impact = page.context["impact"]
    assert [row["system"].code for row in impact["systems"]] == ["LIS"]
    assert impact["hidden_systems"] == 1
    assert "医院信息系统".encode() not in page.content


def test_relations_are_added_refused_with_the_cycle_and_removed(
        alice: Any, hospital: Hospital, verified_client: Callable[..., Any]) -> None:
    client = verified_client(alice)
    hv = hospital.make(Host, code="HV-1", name="虚拟化主机", hostname="hv1", os_family="linux")
    response = client.post(item_url(hospital.lis_host, "cmdb:relation_add"), {
        "direction": "out", "type": "runs_on", "other": hv.pk})
    assert response.status_code == 302
    relation = Relation.objects.get(source=hospital.lis_host, target=hv)
    response = client.post(item_url(hospital.lis_host, "cmdb:relation_add"), {
        "direction": "in", "type": "runs_on", "other": hv.pk})
    assert response.status_code == 400
    assert "HV-1 → SRV-LIS → HV-1" in response.context["relation_form"].errors["type"][0]
    assert "HV-1 → SRV-LIS → HV-1" in response.content.decode()
    response = client.post(reverse("cmdb:relation_remove", args=[relation.pk]),
                           {"from": hv.pk})
    assert response["Location"] == item_url(hv) + "#relations"
    assert not Relation.objects.filter(pk=relation.pk).exists()
    history = client.get(item_url(hv)).context["history"]
    assert [rec.action for rec, _ in history][:2] == ["delete", "create"]


def test_bob_relates_only_to_items_he_can_see(
        bob: Any, hospital: Hospital, verified_client: Callable[..., Any]) -> None:
    client = verified_client(bob)
    form = client.get(item_url(hospital.lis_host)).context["relation_form"]
    others = set(form.fields["other"].queryset.values_list("code", flat=True))
    assert "SRV-HIS" not in others and "DB-LIS" in others
    response = client.post(item_url(hospital.lis_host, "cmdb:relation_add"), {
        "direction": "out", "type": "depends_on", "other": hospital.his_host.pk})
    assert response.status_code == 400
    assert not Relation.objects.filter(target=hospital.his_host).exists()


# --- delete ----------------------------------------------------------------------------------


def test_deleting_an_item_in_use_needs_the_cascade_confirmation(
        alice: Any, hospital: Hospital, verified_client: Callable[..., Any]) -> None:
    client = verified_client(alice)
    url = item_url(hospital.lis_host, "cmdb:item_delete")
    page = client.get(url)
    labels = [d["label"] for d in page.context["dependents"]]
    assert str(hospital.lis_db) in labels and str(hospital.lis) in labels
    assert b"confirm-cascade" in page.content
    response = client.post(url)
    assert response.status_code == 409
    assert Host.objects.filter(pk=hospital.lis_host.pk).exists()
    assert "still in use" in response.content.decode()
    response = client.post(url, {"cascade": "yes"})
    assert response.status_code == 302
    assert not Host.objects.filter(pk=hospital.lis_host.pk).exists()
    hospital.lis_db.refresh_from_db()
    assert hospital.lis_db.host is None


def test_an_unused_item_is_deleted_after_a_plain_confirmation(
        alice: Any, hospital: Hospital, verified_client: Callable[..., Any]) -> None:
    client = verified_client(alice)
    spare = hospital.make(Host, code="SRV-SPARE", name="备机", hostname="sp", os_family="uos")
    page = client.get(item_url(spare, "cmdb:item_delete"))
    assert page.context["dependents"] == [] and b"confirm-delete" in page.content
    assert client.post(item_url(spare, "cmdb:item_delete")).status_code == 302
    assert not Host.objects.filter(code="SRV-SPARE").exists()


def test_a_site_with_buildings_cannot_be_deleted_even_with_cascade(
        alice: Any, hospital: Hospital, verified_client: Callable[..., Any]) -> None:
    client = verified_client(alice)
    url = reverse("cmdb:record_delete", args=["sites", hospital.site.pk])
    page = client.get(url)
    assert page.context["blocking"] and b"confirm-cascade" not in page.content
    response = client.post(url, {"cascade": "yes"})
    assert response.status_code == 409
    assert Site.objects.filter(pk=hospital.site.pk).exists()


# --- documents -------------------------------------------------------------------------------


def test_documents_are_uploaded_and_downloads_audited(
        alice: Any, bob: Any, charlie: Any, hospital: Hospital, media: Any,
        verified_client: Callable[..., Any]) -> None:
    client = verified_client(alice)
    response = client.post(item_url(hospital.lis, "cmdb:document_upload"), {
        "title": "验收报告", "file": SimpleUploadedFile("acceptance.pdf", b"%PDF-1.4 test")})
    assert response.status_code == 302
    document = Document.objects.get(item=hospital.lis)
    assert str(media) in document.file.path
    assert AuditRecord.objects.filter(action="create", object_type="cmdb.document").exists()
    charlie_client = verified_client(charlie)  # same client, now charlie
    response = charlie_client.get(reverse("cmdb:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert "attachment" in response["Content-Disposition"]
    download = AuditRecord.objects.get(action="download")
    assert download.actor_username == "charlie" and download.object_id == str(document.pk)
    his_doc = Document.objects.create(item=hospital.his, title="HIS 手册",
                                      file=SimpleUploadedFile("his.txt", b"secret"))
    bob_client = verified_client(bob)
    assert bob_client.get(reverse("cmdb:document_download",
                                  args=[his_doc.pk])).status_code == 404
    assert AuditRecord.objects.filter(action="download").count() == 1
    page = bob_client.get(item_url(hospital.lis))
    assert "验收报告" in page.content.decode()
    history = [rec.object_type for rec, _ in page.context["history"]]
    assert "cmdb.document" in history


def test_bad_uploads_name_the_field(alice: Any, hospital: Hospital,
                                    verified_client: Callable[..., Any]) -> None:
    response = verified_client(alice).post(item_url(hospital.lis, "cmdb:document_upload"),
                                           {"title": ""})
    assert response.status_code == 400
    assert set(response.context["document_form"].errors) == {"title", "file"}
    assert not Document.objects.exists()


# --- plain records and navigation ------------------------------------------------------------


def test_vendor_page_lists_contacts_in_escalation_order_and_engineers(
        alice: Any, bob: Any, hospital: Hospital, verified_client: Callable[..., Any]) -> None:
    Contact.objects.create(vendor=hospital.vendor, name="王经理", escalation_level=2)
    Contact.objects.create(vendor=hospital.vendor, name="张工", escalation_level=1,
                           phone="13800000000")
    page = verified_client(alice).get(
        reverse("cmdb:record_detail", args=["vendors", hospital.vendor.pk]))
    panels = {p["panel"].accessor: p["rows"] for p in page.context["panels"]}
    assert [c.name for c in panels["contacts"]] == ["张工", "王经理"]
    assert panels["engineers"] == [bob]
    assert [s.code for s in panels["maintained_systems"]] == ["LIS"]
    assert "13800000000" in page.content.decode()


def test_alice_manages_plain_records_through_the_forms(
        alice: Any, charlie: Any, hospital: Hospital,
        verified_client: Callable[..., Any]) -> None:
    client = verified_client(alice)
    response = client.post(reverse("cmdb:record_create", args=["departments"]), {
        "name": "血液透析室", "code": "HD-ROOM", "site": hospital.site.pk,
        "members": [charlie.pk]})
    department = Department.objects.get(code="HD-ROOM")
    assert response["Location"] == reverse("cmdb:record_detail",
                                           args=["departments", department.pk])
    assert list(department.members.all()) == [charlie]
    response = client.post(reverse("cmdb:record_create", args=["contacts"]), {
        "name": "无归属", "escalation_level": "1"})
    assert response.status_code == 400
    assert not Contact.objects.filter(name="无归属").exists()
    response = client.post(reverse("cmdb:record_edit", args=["sites", hospital.site.pk]), {
        "name": "总院", "code": "MAIN", "address": "人民路 1 号"})
    hospital.site.refresh_from_db()
    assert hospital.site.address == "人民路 1 号"
    assert AuditRecord.objects.filter(action="update", object_type="cmdb.site").exists()


def test_bob_cannot_manage_plain_records(bob: Any, hospital: Hospital,
                                         verified_client: Callable[..., Any]) -> None:
    client = verified_client(bob)
    assert client.post(reverse("cmdb:record_create", args=["sites"]),
                       {"name": "x", "code": "X"}).status_code == 403
    assert client.post(reverse("cmdb:record_edit", args=["vendors", hospital.vendor.pk]),
                       {"name": "x", "code": "X"}).status_code == 403
    assert not Site.objects.filter(code="X").exists()


def test_navigation_and_sub_navigation(alice: Any, charlie: Any, hospital: Hospital,
                                       verified_client: Callable[..., Any]) -> None:
    client = verified_client(alice)
    page = client.get(reverse("cmdb:index"))
    assert page.status_code == 200
    nav = page.context["nav_items"]
    assert any(item["name"] == "cmdb:index" for item in nav)
    counts = {c["entry"].slug: c["count"] for c in page.context["classes"]}
    assert counts["systems"] == 2 and counts["hosts"] == 2
    assert b"/cmdb/sites/" in page.content
    client = verified_client(charlie)
    page = client.get(reverse("cmdb:index"))
    counts = {c["entry"].slug: c["count"] for c in page.context["classes"]}
    assert counts["systems"] == 1 and counts["hosts"] == 0
    assert b"/cmdb/sites/" not in page.content
    assert [(r.object_repr, url) for r, url in page.context["changes"]] == [
        (str(hospital.lis), item_url(hospital.lis))]


def test_sub_navigation_shows_only_tools_that_exist(rf: Any, alice: Any) -> None:
    from careops.cmdb.views.common import subnav

    request = rf.get("/cmdb/hosts/")
    request.user = alice
    nav = subnav(request)
    assert [c["active"] for c in nav["classes"] if c["url"] == "/cmdb/hosts/"] == [True]
    tool_names = {str(t["title"]) for t in nav["tools"]}
    from django.urls import NoReverseMatch

    for title, name in (("Topology", "cmdb:topology"), ("Locations", "cmdb:locations"),
                        ("Import", "cmdb:import")):
        try:
            reverse(name)
        except NoReverseMatch:
            assert title not in tool_names
        else:
            assert title in tool_names


def test_a_host_page_offers_discovery_to_who_may_change_it(
        alice: Any, charlie: Any, hospital: Hospital,
        verified_client: Callable[..., Any]) -> None:
    host_page = reverse("cmdb:item_detail", args=[hospital.lis_host.pk])
    page = verified_client(alice).get(host_page).content.decode()
    assert reverse("cmdb:host_discover", args=[hospital.lis_host.pk]) in page
    system_page = verified_client(alice).get(
        reverse("cmdb:item_detail", args=[hospital.lis.pk])).content.decode()
    assert 'data-testid="discover-button"' not in system_page
