"""Import and export of the CMDB: dry run, atomic apply, templates, round trip, access."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from careops.cmdb import exporter, importer
from careops.cmdb.actions import items as item_actions
from careops.cmdb.actions import relations
from careops.cmdb.models import BusinessSystem, ConfigItem, Host, Relation, Room, Vendor
from careops.cmdb.tests.factories import Hospital
from careops.core.auditlog import verify_chain
from careops.core.models import AuditRecord

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HOST_HEADER = ["编码", "名称", "主机名", "IP地址", "操作系统", "内存", "机房", "厂商", "CPU"]


@pytest.fixture
def hospital(alice: Any) -> Hospital:
    return Hospital(alice)


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    return "\n".join(",".join(cells) for cells in rows).encode(encoding)


def xlsx_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems(report: importer.Report) -> set[tuple[int | None, str]]:
    return {(p.row, p.column) for p in report.problems}


# Each kind of bad row: (column title, how the row is spoiled, words of the reason).
BAD = [
    ("IP地址", lambda r: r.__setitem__(3, "10.0.0.300"), "not an IP address"),
    ("操作系统", lambda r: r.__setitem__(4, "Solaris 10"), "Unknown OS"),
    ("厂商", lambda r: r.__setitem__(7, "NO-SUCH-VENDOR"), "Unknown vendor"),
    ("内存", lambda r: r.__setitem__(5, "lots"), "memory size"),
    ("机房", lambda r: r.__setitem__(6, "DC-404"), "Unknown room"),
    ("CPU", lambda r: r.__setitem__(8, "8.5"), "whole number"),
]


def host_rows(count: int) -> list[list[str]]:
    rows = [HOST_HEADER]
    for n in range(count):
        rows.append([f"H{n:05d}", f"主机 {n}", f"h{n}", f"10.{n // 65536}.{n // 256 % 256}."
                     f"{n % 256}", ("CentOS 7", "Windows Server 2019", "麒麟 V10", "UOS")[n % 4],
                     "16G", "DC-1", "V-LIS", "8"])
    return rows


def test_it_reports_every_bad_row_of_a_10000_row_file_and_writes_nothing(
        hospital: Hospital, alice: Any) -> None:
    rows = host_rows(10_000)
    expected: dict[tuple[int, str], str] = {}
    for n, index in enumerate(range(37, 10_001, 97)):
        title, spoil, reason = BAD[n % len(BAD)]
        spoil(rows[index])
        expected[(index + 1, title)] = reason  # Excel row: the header is row 1
    # A code repeated within the file: the later row is reported.
    rows[500][0] = rows[499][0]
    expected[(501, "编码")] = "Duplicate code"
    rows[800][0] = "SRV-HIS"
    expected[(801, "编码")] = "already exists"
    hosts_before = Host.objects.count()
    with CaptureQueriesContext(connection) as queries:
        report = importer.dry_run(csv_bytes(rows), "hosts.csv", cls="host")
    assert len(queries) < 60, "lookups are batched (500 codes a query), not per row"
    assert report.rows == 10_000
    assert problems(report) == set(expected)
    for problem in report.problems:
        assert expected[(problem.row, problem.column)] in problem.message
    assert Host.objects.count() == hosts_before

    # The corrected file is written in full.
    fixed = host_rows(10_000)
    applied = importer.apply(alice, csv_bytes(fixed), "hosts.csv", cls="host")
    assert applied.ok and Host.objects.count() == hosts_before + 10_000
    host = Host.objects.get(code="H00002")
    assert (host.os_family, host.os_version, host.memory_mb, host.room, host.vendor.code) == (
        "kylin", "V10", 16384, hospital.server_room, "V-LIS")


def test_it_writes_nothing_when_the_apply_fails_midway(
        hospital: Hospital, alice: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Rooms are written first, then the hosts fail: the rooms must not stay.
    real_create_many = item_actions.create_many

    def failing(actor: Any, model: Any, rows: Any, **kwargs: Any) -> Any:
        if model is Host:
            raise RuntimeError("disk full")
        return real_create_many(actor, model, rows, **kwargs)

    monkeypatch.setattr(item_actions, "create_many", failing)
    before = (ConfigItem.objects.count(), AuditRecord.objects.count())
    rooms = [["code", "name", "floor"], ["DC-7", "七号机房", "B1-F3"]]
    hosts = host_rows(50)
    hosts[1][6] = "DC-7"
    data = xlsx_bytes({"rooms": rooms, "hosts": hosts})
    with pytest.raises(RuntimeError):
        importer.apply(alice, data, "hospital.xlsx")
    assert (ConfigItem.objects.count(), AuditRecord.objects.count()) == before


def test_it_reads_gb18030_csv_with_chinese_headers(hospital: Hospital, alice: Any) -> None:
    data = csv_bytes([
        ["编码", "名称", "类别", "重要等级", "患者安全", "使用时间", "上线日期", "服务科室",
         "维护厂商", "每小时价值"],
        ["EMR", "电子病历", "临床", "1 · Critical", "是", "7×24", "2019/6/1", "LAB、OPD",
         "V-LIS", "50000.0"],
    ], encoding="gb18030")
    importer.apply(alice, data, "系统.csv", cls="system")
    emr = BusinessSystem.objects.get(code="EMR")
    assert (emr.name, emr.category, emr.criticality, emr.patient_safety, str(emr.go_live)) == (
        "电子病历", "clinical", 1, True, "2019-06-01")
    assert sorted(d.code for d in emr.departments.all()) == ["LAB", "OPD"]
    assert [v.code for v in emr.maintainers.all()] == ["V-LIS"]


def test_it_resolves_references_within_a_workbook(hospital: Hospital, alice: Any) -> None:
    data = xlsx_bytes({
        # The host sheet comes first: dependency order, not sheet order, decides.
        "主机": [["code", "name", "hostname", "os_family", "room", "vendor", "machine_kind"],
                 ["SRV-PACS", "PACS 服务器", "pacs", "Windows Server 2019", "DC-2",
                  "联影", "物理"]],
        "rooms": [["code", "name", "floor", "is_server_room"],
                  ["DC-2", "灾备机房", "B1-F3", "yes"]],
        "服务商": [["编码", "名称"], ["V-UI", "联影"]],
        "business systems": [["code", "name", "category", "maintainers"],
                             ["PACS", "影像系统", "医技", "V-UI"]],
        "relations": [["source", "type", "target"], ["PACS", "runs on", "SRV-PACS"]],
    })
    report = importer.apply(alice, data, "hospital.xlsx")
    assert {c["cls"]: c["create"] for c in report.counts()} == {
        "vendor": 1, "room": 1, "system": 1, "host": 1, "relation": 1}
    host = Host.objects.get(code="SRV-PACS")
    assert (host.room.code, host.vendor.code, host.os_family, host.machine_kind) == (
        "DC-2", "V-UI", "windows_server", "physical")
    assert Relation.objects.filter(source__code="PACS", type="runs_on",
                                   target__code="SRV-PACS").exists()
    summary = AuditRecord.objects.get(object_type="cmdb.import")
    assert '"errors":0' in summary.detail_json and '"rows":5' in summary.detail_json
    # Each created record has its CREATE audit record, in an intact hash chain.
    created = AuditRecord.objects.filter(action="create", object_type="cmdb.host").latest("pk")
    assert created.object_repr == "PACS 服务器 (SRV-PACS)" and '"room"' in created.changes_json
    assert verify_chain().ok


def test_it_reports_dangling_relations_and_cycles_in_the_file(hospital: Hospital) -> None:
    data = xlsx_bytes({
        "hosts": [["code", "name", "hostname", "os_family"],
                  ["VM-1", "vm1", "vm1", "rhel"], ["VM-2", "vm2", "vm2", "rhel"]],
        "relations": [["source", "type", "target"],
                      ["VM-1", "runs_on", "VM-2"],
                      ["VM-2", "runs_on", "VM-1"],
                      ["LIS", "runs_on", "NOWHERE"],
                      ["SRV-LIS", "runs_on", "LIS"]],
    })
    report = importer.dry_run(data, "x.xlsx")
    by_row = {p.row: p for p in report.problems}
    assert set(by_row) == {3, 4, 5}
    assert "cycle" in by_row[3].message and "VM-1" in by_row[3].message
    assert by_row[4].column == "target" and "Dangling relation" in by_row[4].message
    assert by_row[5].column == "type" and "cannot be runs_on" in by_row[5].message
    assert not ConfigItem.objects.filter(code__startswith="VM-").exists()


def test_it_reports_duplicate_codes_in_the_file_and_against_the_database(
        hospital: Hospital) -> None:
    data = csv_bytes([["code", "name", "hostname", "os_family"],
                      ["SRV-X", "x", "x", "rhel"], ["SRV-X", "x2", "x", "rhel"],
                      ["SRV-HIS", "his", "his", "rhel"], ["LIS", "not a host", "lis", "rhel"]])
    report = importer.dry_run(data, "h.csv", cls="host")
    assert problems(report) == {(3, "code"), (4, "code"), (5, "code")}
    messages = [p.message for p in report.problems]
    assert "also on row 2" in messages[0]
    assert "update existing" in messages[1]
    # In update mode an existing host is updated; another class's code stays an error.
    report = importer.dry_run(data, "h.csv", cls="host", update=True)
    assert problems(report) == {(3, "code"), (5, "code")}
    assert "already used by" in report.problems[1].message


def test_it_round_trips_an_export_through_the_importer(hospital: Hospital, alice: Any) -> None:
    relations.add(alice, hospital.lis, "runs_on", hospital.lis_host)
    item_actions.update(alice, hospital.lis_host, {
        "memory_mb": 32768, "cpu_cores": 16, "tags": ["检验", "core"],
        "monitoring_endpoints": [{"job": "node", "target": "10.1.2.10:9100"}],
        "disks": [{"mount": "/", "size_gb": 100}, {"mount": "/data", "size_gb": 1.5}]})
    audit_before = AuditRecord.objects.exclude(action="export").count()
    for key in importer.SPECS:
        data, _count = exporter.export_xlsx(alice, key)
        report = importer.dry_run(data, f"{key}.xlsx", cls=key, update=True)
        assert report.ok, (key, report.problems)
        assert {p.action for p in report.plans} <= {"unchanged"}, (
            key, [(p.label, p.changed) for p in report.plans])
        importer.apply(alice, data, f"{key}.xlsx", cls=key, update=True)
    changes = AuditRecord.objects.exclude(action="export").exclude(object_type="cmdb.import")
    assert changes.count() == audit_before
    # A changed cell is an update, and only that.
    data, _count = exporter.export_xlsx(alice, "host")
    book = load_workbook(io.BytesIO(data))
    ws = book.worksheets[1]
    keys = [c.value for c in ws[2]]
    for row in ws.iter_rows(min_row=3):
        if row[0].value == "SRV-HIS":
            row[keys.index("memory_mb")].value = "64 GB"
    out = io.BytesIO()
    book.save(out)
    report = importer.apply(alice, out.getvalue(), "hosts.xlsx", cls="host", update=True)
    assert [(p.label, p.changed) for p in report.plans if p.action == "update"] == [
        ("SRV-HIS", ["memory_mb"])]
    assert Host.objects.get(code="SRV-HIS").memory_mb == 65536


def test_it_skips_the_sample_and_key_rows_of_its_templates(hospital: Hospital) -> None:
    report = importer.dry_run(exporter.template_xlsx(None), "template.xlsx")
    assert report.ok and report.rows == 0 and not report.warnings
    csv_template = exporter.template_csv("host")
    assert csv_template.startswith(b"\xef\xbb\xbf")
    assert importer.dry_run(csv_template, "host.csv", cls="host").rows == 0
    book = load_workbook(io.BytesIO(exporter.template_xlsx("host")))
    ws = book["hosts"]
    assert ws.freeze_panes == "B3" and ws.row_dimensions[2].hidden
    assert any("os_family" in str(v.sqref) or v.type == "list"
               for v in ws.data_validations.dataValidation)
    assert book["_lists"].sheet_state == "hidden"


def test_it_denies_import_to_bob_and_scopes_his_export(
        hospital: Hospital, alice: Any, bob: Any, verified_client: Any) -> None:
    relations.add(alice, hospital.lis, "runs_on", hospital.lis_host)
    hospital.vendor.engineers.add(bob)
    with pytest.raises(PermissionDenied):
        importer.apply(bob, csv_bytes(host_rows(1)), "h.csv", cls="host")
    client = verified_client(bob)
    assert client.get("/cmdb/import/").status_code == 403
    response = client.get("/cmdb/export/", {"cls": "host"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    codes = [row[0] for row in book.worksheets[1].iter_rows(min_row=3, values_only=True)]
    assert codes == ["SRV-LIS"]
    record = AuditRecord.objects.get(action="export", actor_username="bob")
    assert '"rows":1' in record.detail_json
    assert client.get("/cmdb/export/", {"cls": "vendor"}).status_code == 403


def test_it_imports_through_the_pages(hospital: Hospital, alice: Any,
                                      verified_client: Any) -> None:
    client = verified_client(alice)
    assert client.get("/cmdb/import/").status_code == 200
    bad = csv_bytes([["code", "name", "hostname", "os_family"], ["SRV-N", "n", "n", "BeOS"]])
    response = client.post("/cmdb/import/", {"cls": "host", "file": _upload(bad, "h.csv")})
    assert response.status_code == 200
    assert "Unknown OS" in response.content.decode() and b"import-apply" not in response.content
    good = csv_bytes([["code", "name", "hostname", "os_family", "addresses"],
                      ["SRV-N", "n", "n", "openEuler 22.03", "10.9.9.9"]])
    response = client.post("/cmdb/import/", {"cls": "host", "file": _upload(good, "h.csv")})
    assert b"import-apply" in response.content and not Host.objects.filter(code="SRV-N")
    token = response.context["token"]
    response = client.post(f"/cmdb/import/{token}/apply/")
    assert response.status_code == 302
    host = Host.objects.get(code="SRV-N")
    assert (host.os_family, host.os_version, host.addresses) == (
        "openeuler", "22.03", ["10.9.9.9"])
    # The upload is gone after the apply.
    assert client.post(f"/cmdb/import/{token}/apply/").status_code == 404
    template = client.get("/cmdb/import/template/", {"cls": "host", "format": "csv"})
    assert template.content.startswith(b"\xef\xbb\xbf")
    export = client.get("/cmdb/export/", {"cls": "host", "os_family": "openeuler"})
    book = load_workbook(io.BytesIO(export.content))
    assert [r[0] for r in book.worksheets[1].iter_rows(min_row=3, values_only=True)] == [
        "SRV-N"]
    record = AuditRecord.objects.filter(action="export").latest("pk")
    assert '"os_family":"openeuler"' in record.detail_json


def test_it_rechecks_when_applying_a_stale_dry_run(hospital: Hospital, alice: Any,
                                                   verified_client: Any) -> None:
    client = verified_client(alice)
    data = csv_bytes([["code", "name", "hostname", "os_family", "vendor"],
                      ["SRV-Q", "q", "q", "rhel", "V-NEW"]])
    Vendor.objects.create(code="V-NEW", name="新厂商")
    response = client.post("/cmdb/import/", {"cls": "host", "file": _upload(data, "h.csv")})
    assert response.context["report"].ok
    Vendor.objects.filter(code="V-NEW").delete()
    response = client.post(f"/cmdb/import/{response.context['token']}/apply/")
    assert response.status_code == 400 and "Unknown vendor" in response.content.decode()
    assert not Host.objects.filter(code="SRV-Q").exists()


def test_the_cli_reports_and_applies(hospital: Hospital, alice: Any, tmp_path: Any) -> None:
    path = tmp_path / "rooms.csv"
    path.write_bytes(csv_bytes([["code", "name", "floor"], ["DC-9", "九号机房", "NOWHERE"]]))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("cmdb", "import", str(path), "--class", "room", stdout=out)
    assert exit_.value.code == 1 and "row 2 [floor]: Unknown floor NOWHERE" in out.getvalue()
    path.write_bytes(csv_bytes([["code", "name", "floor"], ["DC-9", "九号机房", "B1-F3"]]))
    call_command("cmdb", "import", str(path), "--class", "room", stdout=io.StringIO())
    assert not Room.objects.filter(code="DC-9").exists()
    call_command("cmdb", "import", str(path), "--class", "room", "--apply", "--as", "alice",
                 stdout=io.StringIO())
    assert Room.objects.get(code="DC-9").floor == hospital.floor
    target = tmp_path / "rooms.xlsx"
    call_command("cmdb", "export", "--class", "room", "--out", str(target), "--as", "alice",
                 stdout=io.StringIO())
    rows = list(load_workbook(target).worksheets[1].iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == ["DC-1", "DC-9"]


def _upload(data: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)
