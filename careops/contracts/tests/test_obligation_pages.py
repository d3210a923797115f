"""The obligation tracker's pages as every role sees them, their forms, the evidence
download, query counts; and the contract list without one query per contract."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from careops.cmdb.models import Vendor
from careops.contracts.models import (
    ContractProfile,
    ContractVersion,
    ObligationOccurrence,
    ObligationStatus,
)
from careops.contracts.tests.seeds import IN_SERVICE
from careops.core.choices import AuditAction
from careops.core.models import AuditRecord

pytestmark = pytest.mark.usefixtures("english")


def first(profile: Any, code: str) -> ObligationOccurrence:
    found = ObligationOccurrence.objects.filter(profile=profile, code=code).order_by(
        "sequence").first()
    assert found is not None
    return found


@pytest.mark.parametrize(("who", "list_code", "detail_code"), [
    ("alice", 200, 200), ("bob", 200, 200), ("auditor", 200, 200),
    ("charlie", 200, 404), ("sysadmin", 403, 403), ("secadmin", 403, 403),
    ("auditadmin", 403, 403)])
def test_it_answers_every_role(edu: Any, who: str, list_code: int, detail_code: int,
                               request: Any, verified_client: Any) -> None:
    client = verified_client(request.getfixturevalue(who))
    item = first(edu, "restore-drill")
    assert client.get("/contracts/obligations/").status_code == list_code
    assert client.get("/contracts/obligations/calendar/?month=2026-03").status_code \
        == list_code
    assert client.get(f"/contracts/obligations/{item.pk}/").status_code == detail_code


def test_a_department_user_sees_no_obligations(edu: Any, charlie: Any,
                                               verified_client: Any) -> None:
    page = verified_client(charlie).get("/contracts/obligations/").content.decode()
    assert 'data-testid="obligation-row"' not in page
    assert "No obligations you can see." in page


def test_bob_sees_only_his_vendors_contracts(edu: Any, jiahe: Any, bob: Any,
                                             verified_client: Any) -> None:
    client = verified_client(bob)
    page = client.get("/contracts/obligations/?contract=seed-004-edu").content.decode()
    assert "seed-004-edu" in page
    hidden = first(jiahe, "technical-documents")
    assert client.get(f"/contracts/obligations/{hidden.pk}/").status_code == 404
    response = client.get("/contracts/obligations/?contract=seed-002-jiahe")
    assert response.status_code == 400   # not a choice he has
    assert 'data-testid="filter-error-contract"' in response.content.decode()


def test_the_list_filters_and_counts_queries(edu: Any, alice: Any, verified_client: Any,
                                             django_assert_max_num_queries: Any) -> None:
    client = verified_client(alice)
    with django_assert_max_num_queries(14):
        page = client.get("/contracts/obligations/").content.decode()
    assert page.count('data-testid="obligation-row"') == 50
    march = client.get("/contracts/obligations/?month=2026-03&kind=restore_drill") \
        .content.decode()
    assert march.count('data-testid="obligation-row"') == 1 and "2026-03-31 18:00" in march
    bad = client.get("/contracts/obligations/?month=March")
    assert bad.status_code == 400 and "Give the month as YYYY-MM" in bad.content.decode()
    assert client.get("/contracts/obligations/?month=1999-12").status_code == 400
    assert client.get("/contracts/obligations/calendar/?month=9999-12").status_code == 200
    late = first(edu, "remote-inspection")
    ObligationOccurrence.objects.filter(pk=late.pk).update(
        due_at=timezone.now() - dt.timedelta(days=2))
    overdue = client.get("/contracts/obligations/?status=overdue&kind=remote_inspection") \
        .content.decode()
    rows = overdue.count('data-testid="obligation-row"')
    assert rows >= 1 and overdue.count('data-state="overdue"') == rows
    assert f"/contracts/obligations/{late.pk}/" in overdue
    ObligationOccurrence.objects.filter(pk=late.pk).update(status=ObligationStatus.DONE)
    again = client.get("/contracts/obligations/?status=overdue&kind=remote_inspection") \
        .content.decode()
    assert f"/contracts/obligations/{late.pk}/" not in again


def test_the_calendar_puts_items_on_their_due_day(edu: Any, alice: Any, verified_client: Any,
                                                  django_assert_max_num_queries: Any) -> None:
    client = verified_client(alice)
    with django_assert_max_num_queries(14):
        page = client.get("/contracts/obligations/calendar/?month=2026-03").content.decode()
    assert 'data-testid="month-title">2026-03' in page
    cell = page.split('data-date="2026-03-31"')[1].split("</td>")[0]
    assert "季度备份恢复演练" in cell and "季度现场深度巡检" in cell
    drill = first(edu, "restore-drill")
    assert f"/contracts/obligations/{drill.pk}/" in cell


def test_alice_completes_with_a_ticket_number(edu: Any, alice: Any, cmdb: Any,
                                              verified_client: Any) -> None:
    from careops.servicedesk.actions import open_ticket

    ticket = open_ticket(alice, "incident", "恢复演练", "季度恢复演练", [cmdb["systems"][0]],
                         now=IN_SERVICE)
    item = first(edu, "restore-drill")
    client = verified_client(alice)
    detail = client.get(f"/contracts/obligations/{item.pk}/").content.decode()
    assert 'data-testid="complete-form"' in detail and 'data-testid="waive-form"' in detail
    assert "2026-03-31 18:00" in detail
    bad = client.post(f"/contracts/obligations/{item.pk}/complete/",
                      {"complete-ticket": "NOPE-1"})
    assert bad.status_code == 400 and "No such evidence that you may see" in \
        bad.content.decode()
    empty = client.post(f"/contracts/obligations/{item.pk}/complete/", {"complete-note": "ok"})
    assert empty.status_code == 400 and "at least 15 characters" in empty.content.decode()
    done = client.post(f"/contracts/obligations/{item.pk}/complete/",
                       {"complete-ticket": ticket.number})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.status == ObligationStatus.DONE and item.evidence == ticket
    page = client.get(f"/contracts/obligations/{item.pk}/").content.decode()
    assert ticket.number in page and 'data-testid="complete-form"' not in page


def test_bob_cannot_waive_but_can_assign_himself(edu: Any, bob: Any,
                                                  verified_client: Any) -> None:
    item = first(edu, "onsite-inspection")
    client = verified_client(bob)
    detail = client.get(f"/contracts/obligations/{item.pk}/").content.decode()
    assert 'data-testid="waive-form"' not in detail and 'data-testid="assign-form"' in detail
    response = client.post(f"/contracts/obligations/{item.pk}/waive/",
                           {"waive-reason": "不做了不做了"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == ObligationStatus.OPEN
    assert client.post(f"/contracts/obligations/{item.pk}/assign/",
                       {"assign-assignee": "bob"}).status_code == 302
    item.refresh_from_db()
    assert item.assignee == bob


def test_the_auditor_reads_without_forms(edu: Any, auditor: Any,
                                         verified_client: Any) -> None:
    item = first(edu, "onsite-inspection")
    client = verified_client(auditor)
    page = client.get(f"/contracts/obligations/{item.pk}/").content.decode()
    assert 'data-testid="obligation-facts"' in page
    for form in ("complete-form", "assign-form", "waive-form"):
        assert f'data-testid="{form}"' not in page
    assert client.post(f"/contracts/obligations/{item.pk}/complete/",
                       {"complete-note": "审计员不应能完成此事项的记录"}).status_code == 403


def test_the_evidence_download_is_audited(edu: Any, bob: Any, alice: Any, charlie: Any,
                                          verified_client: Any, settings: Any,
                                          tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    item = first(edu, "restore-drill")
    client = verified_client(bob)
    upload = SimpleUploadedFile("备份恢复验证报告.pdf", b"%PDF-1.4 drill",
                                content_type="application/pdf")
    assert client.post(f"/contracts/obligations/{item.pk}/complete/",
                       {"complete-evidence_file": upload}).status_code == 302
    response = verified_client(alice).get(f"/contracts/obligations/{item.pk}/evidence/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 drill"
    assert "attachment" in response["Content-Disposition"]
    record = AuditRecord.objects.filter(action=AuditAction.DOWNLOAD).get()
    assert record.actor_username == "alice" and record.object_id == str(item.pk)
    other = verified_client(charlie).get(f"/contracts/obligations/{item.pk}/evidence/")
    assert other.status_code == 404
    assert AuditRecord.objects.filter(action=AuditAction.DOWNLOAD).count() == 1


def test_the_contract_page_shows_upcoming_obligations(edu: Any, alice: Any,
                                                      verified_client: Any) -> None:
    page = verified_client(alice).get("/contracts/seed-004-edu/").content.decode()
    card = page.split('data-testid="upcoming-obligations"')[1]
    assert "Upcoming obligations" in page and "/contracts/obligations/" in card


def test_the_contract_list_does_not_query_per_contract(
        alice: Any, verified_client: Any, django_assert_max_num_queries: Any) -> None:
    vendor = Vendor.objects.create(code="V-X", name="某服务商")
    for n in range(12):
        profile = ContractProfile.objects.create(code=f"c-{n}", name=f"合同 {n}", vendor=vendor)
        for number in (1, 2):
            ContractVersion.objects.create(
                profile=profile, number=number, yaml_text="code: x",
                valid_from=dt.date(2026, 1, 1),
                summary={"period": ["2026-01-01", f"2026-12-{number + 10}"]})
    client = verified_client(alice)
    with django_assert_max_num_queries(10):
        page = client.get("/contracts/").content.decode()
    assert page.count("<td>v2</td>") == 12 and "2026-12-12" in page and "2026-12-11" not in page


def test_the_evidence_ticket_is_shown_only_to_who_may_see_it(
        edu: Any, cmdb: dict[str, Any], alice: Any, bob: Any, verified_client: Any) -> None:
    from careops.contracts.actions import obligations as actions
    from careops.servicedesk.actions import open_ticket

    exam = cmdb["systems"][1]
    exam.maintainers.clear()                   # bob's vendor keeps only the video system
    ticket = open_ticket(alice, "incident", "考试系统演练", "", [exam], now=IN_SERVICE)
    item = first(edu, "restore-drill")
    actions.complete(alice, item, evidence=ticket)
    url = f"/contracts/obligations/{item.pk}/"
    assert ticket.number in verified_client(alice).get(url).content.decode()
    page = verified_client(bob).get(url)
    assert page.status_code == 200
    assert ticket.number not in page.content.decode()
