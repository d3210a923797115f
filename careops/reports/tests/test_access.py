"""Who may download which document, through the pages, the API and the CLI; every
export audited with what was exported."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from careops.cmdb.models import Vendor
from careops.contracts.models import ContractProfile
from careops.core.choices import AuditAction, Role
from careops.core.models import AuditRecord
from careops.servicedesk.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def exports() -> Any:
    return AuditRecord.objects.filter(action=AuditAction.EXPORT).order_by("id")


@pytest.fixture
def outsider(make_user: Any, desk: dict[str, Any]) -> Any:
    """A vendor engineer of another vendor: sees none of these systems."""
    erin = make_user("erin", Role.VENDOR_ENGINEER)
    Vendor.objects.create(code="V-OTHER", name="别家公司").engineers.add(erin)
    return erin


def test_it_lets_an_insider_download_and_audits_it(worked: Ticket, verified_client: Any,
                                                   bob: Any) -> None:
    client = verified_client(bob)
    response = client.get(f"/reports/records/tickets/{worked.number}/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert worked.number in response["Content-Disposition"]
    load_workbook(io.BytesIO(response.content))
    record = exports().get()
    assert record.actor_username == "bob"
    assert record.object_type == "servicedesk.ticket" and record.object_id == str(worked.pk)
    assert record.detail["document"] == "ticket_record"
    assert record.detail["format"] == "xlsx"
    assert record.detail["entries"] == "public"
    assert record.detail["sha256"] == hashlib.sha256(response.content).hexdigest()


def test_it_answers_404_to_an_outsider_and_audits_nothing(
        month_tickets: list[Ticket], verified_client: Any, outsider: Any) -> None:
    client = verified_client(outsider)
    worked = month_tickets[0]
    assert client.get(f"/reports/records/tickets/{worked.number}/").status_code == 404
    assert client.get("/reports/records/contracts/seed-004-edu/2026-11/").status_code == 404
    assert client.get(f"/api/v1/reports/tickets/{worked.number}/record/").status_code == 404
    assert client.get("/api/v1/reports/contracts/seed-004-edu/months/2026-11/"
                      ).status_code == 404
    assert not exports().exists()


def test_it_gives_the_reporter_his_record_but_not_the_contracts_list(
        month_tickets: list[Ticket], verified_client: Any, charlie: Any) -> None:
    client = verified_client(charlie)
    worked = month_tickets[0]
    response = client.get(f"/reports/records/tickets/{worked.number}/?format=docx")
    assert response.status_code == 200
    # Department users see no contracts (commercial terms).
    assert client.get("/reports/records/contracts/seed-004-edu/2026-11/").status_code == 404


def test_it_refuses_platform_administrators(worked: Ticket, verified_client: Any,
                                            sysadmin: Any) -> None:
    client = verified_client(sysadmin)
    assert client.get(f"/reports/records/tickets/{worked.number}/").status_code == 403
    assert client.get("/reports/records/contracts/seed-004-edu/2026-11/").status_code == 403


def test_it_needs_a_login(worked: Ticket, client: Any) -> None:
    response = client.get(f"/reports/records/tickets/{worked.number}/")
    assert response.status_code == 302
    assert client.get(f"/api/v1/reports/tickets/{worked.number}/record/").status_code in (
        401, 403)


def test_it_downloads_the_monthly_list_from_the_contract_page_form(
        month_tickets: list[Ticket], verified_client: Any, alice: Any) -> None:
    client = verified_client(alice)
    page = client.get("/contracts/seed-004-edu/")
    assert page.status_code == 200
    assert b"/reports/records/contracts/seed-004-edu/" in page.content
    response = client.get("/reports/records/contracts/seed-004-edu/?month=2026-11&format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert [row[0].value for row in book["Tickets"].iter_rows(min_row=2)] == [
        month_tickets[0].number, month_tickets[1].number]
    record = exports().get()
    assert record.object_type == "contracts.contractprofile"
    assert record.detail["month"] == "2026-11"
    assert record.detail["tickets"] == [month_tickets[0].number, month_tickets[1].number]


def test_it_lists_only_the_tickets_the_vendor_may_see(
        month_tickets: list[Ticket], verified_client: Any, bob: Any, alice: Any,
        desk: dict[str, Any]) -> None:
    # A November ticket of the contract on a system bob does not maintain (anymore).
    desk["exam"].maintainers.clear()
    response = verified_client(bob).get(
        "/reports/records/contracts/seed-004-edu/2026-11/?format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert [row[0].value for row in book["Tickets"].iter_rows(min_row=2)] == [
        month_tickets[0].number]


def test_it_names_the_field_of_a_bad_request(month_tickets: list[Ticket],
                                             verified_client: Any, alice: Any) -> None:
    client = verified_client(alice)
    worked = month_tickets[0]
    response = client.get(f"/reports/records/tickets/{worked.number}/?format=doc")
    assert response.status_code == 400 and b"format" in response.content
    response = client.get("/reports/records/contracts/seed-004-edu/2026-13/")
    assert response.status_code == 400 and b"month" in response.content
    for month in ("9999-12", "0000-01", "2101-01"):
        response = client.get(f"/reports/records/contracts/seed-004-edu/{month}/")
        assert response.status_code == 400 and b"month" in response.content, month
        api = client.get(f"/api/v1/reports/contracts/seed-004-edu/months/{month}/?format=pdf")
        assert api.status_code == 400 and "month" in api.json()["error"]["fields"], month
    api = client.get(f"/api/v1/reports/tickets/{worked.number}/record/?format=doc")
    assert api.status_code == 400
    assert "format" in api.json()["error"]["fields"]
    api = client.get("/api/v1/reports/contracts/seed-004-edu/months/2026-1/?format=pdf")
    assert api.status_code == 400
    assert "month" in api.json()["error"]["fields"]
    assert not exports().exists()


def test_it_serves_documents_through_the_api(month_tickets: list[Ticket],
                                             verified_client: Any, alice: Any) -> None:
    client = verified_client(alice)
    worked = month_tickets[0]
    response = client.get(f"/api/v1/reports/tickets/{worked.number}/record/?format=docx")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    response = client.get("/api/v1/reports/contracts/seed-004-edu/months/2026-11/"
                          "?format=xlsx")
    assert response.status_code == 200
    assert exports().count() == 2
    schema = client.get("/api/schema/")
    assert b"/api/v1/reports/tickets/{number}/record/" in schema.content


def test_it_exports_from_the_command_line(month_tickets: list[Ticket], tmp_path: Path,
                                          bob: Any) -> None:
    worked = month_tickets[0]
    out = tmp_path / "record.docx"
    call_command("records", "export", "--ticket", worked.number, "--format", "docx",
                 "-o", str(out))
    assert out.read_bytes()[:2] == b"PK"
    record = exports().get()
    assert record.actor_username == "cli" and record.actor_id is None
    month = tmp_path / "month.xlsx"
    call_command("records", "export", "--contract", "seed-004-edu", "--month", "2026-11",
                 "--format", "xlsx", "-o", str(month), "--as", "bob")
    assert exports().last().actor_username == "bob"
    load_workbook(month)
    with pytest.raises(CommandError, match="--month"):
        call_command("records", "export", "--contract", "seed-004-edu", "--month", "2026-13",
                     "-o", str(month))
    with pytest.raises(CommandError, match="no ticket"):
        call_command("records", "export", "--ticket", "INC-1999-000001", "-o", str(out))
    assert ContractProfile.objects.count() == 1
