"""The obligation tracker's actions (careops/contracts/actions/obligations.py): sync from
the contract versions, complete with evidence, waive, assign, overdue notices, tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from careops.contracts.actions import obligations as actions
from careops.contracts.actions import profiles
from careops.contracts.models import ObligationOccurrence, ObligationStatus
from careops.contracts.tests.conftest import SEED_004
from careops.core.choices import AuditAction, NotificationKind
from careops.core.models import AuditRecord, Channel, Notification

SH = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)  # type: ignore[arg-type,misc]


def occ(profile: Any, code: str, start: dt.date) -> ObligationOccurrence:
    return ObligationOccurrence.objects.get(profile=profile, code=code, period_start=start)


def counts(profile: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for code in ObligationOccurrence.objects.filter(profile=profile).values_list("code",
                                                                                   flat=True):
        out[code] = out.get(code, 0) + 1
    return out


@pytest.fixture
def channel(db: Any) -> Channel:
    return Channel.objects.create(name="信息科邮箱", kind=NotificationKind.WEBHOOK,
                                  config={"url": "http://127.0.0.1:9/hook"})


# --- sync ------------------------------------------------------------------------------------
def test_it_creates_seed_004_occurrences_on_load(edu: Any) -> None:
    found = counts(edu)
    assert found["remote-inspection"] == 12 and found["fault-summary"] == 12
    assert found["onsite-inspection"] == 4 and found["restore-drill"] == 4
    assert found["knowledge-base"] == 4 and found["emergency-plan"] == 1
    q3 = occ(edu, "onsite-inspection", dt.date(2026, 7, 1))
    assert q3.due_at == at(2026, 9, 30, 18)
    # 7 working days after 30 September: National Day, Saturday 10 October a make-up day
    assert q3.report_due_at == at(2026, 10, 15, 18)
    assert q3.sequence == 3 and q3.owner == "vendor" and q3.status == ObligationStatus.OPEN
    drills = ObligationOccurrence.objects.filter(profile=edu, code="restore-drill")
    assert [o.due_at for o in drills.order_by("sequence")] == [
        at(2026, 3, 31, 18), at(2026, 6, 30, 18), at(2026, 9, 30, 18), at(2026, 12, 31, 18)]
    assert all(o.report_due_at is None for o in drills)
    kb = ObligationOccurrence.objects.filter(profile=edu, code="knowledge-base")
    assert [o.period_start.month for o in kb.order_by("sequence")] == [1, 4, 7, 10]
    plan = occ(edu, "emergency-plan", dt.date(2026, 1, 1))
    assert plan.due_at == at(2026, 2, 2, 18)   # 1 February 2026 is a Sunday


def test_it_creates_seed_002_occurrences_with_5_working_day_reports(jiahe: Any) -> None:
    q3 = occ(jiahe, "online-inspection", dt.date(2026, 7, 1))
    assert (q3.due_at, q3.report_due_at) == (at(2026, 9, 30, 18), at(2026, 10, 13, 18))
    year = occ(jiahe, "onsite-inspection", dt.date(2026, 1, 1))
    assert year.report_due_at == at(2027, 1, 7, 18)
    assert counts(jiahe)["daily-full-backup"] == 365
    assert occ(jiahe, "technical-documents", dt.date(2026, 1, 1)).due_at == at(2026, 1, 22, 18)


def test_it_syncs_idempotently(edu: Any, django_assert_max_num_queries: Any) -> None:
    before = list(ObligationOccurrence.objects.filter(profile=edu)
                  .values_list("pk", "code", "sequence", "due_at"))
    audits = AuditRecord.objects.count()
    with django_assert_max_num_queries(12):
        result = actions.sync_occurrences(edu, at(2026, 1, 5, 9))
    assert not result.changed
    assert list(ObligationOccurrence.objects.filter(profile=edu)
                .values_list("pk", "code", "sequence", "due_at")) == before
    assert AuditRecord.objects.count() == audits


def test_a_new_version_moves_future_open_items_and_keeps_done_and_overdue(
        edu: Any, alice: Any) -> None:
    done = occ(edu, "knowledge-base", dt.date(2026, 1, 1))
    actions.complete(alice, done, note="已更新知识库 23 条，摘要已发项目负责人",
                     now=at(2026, 3, 20))
    overdue = occ(edu, "fault-summary", dt.date(2026, 2, 1))   # due 27 Feb, still open
    future = occ(edu, "fault-summary", dt.date(2026, 7, 1))
    text = SEED_004.read_text(encoding="utf-8")
    # version 2: the knowledge base becomes half-yearly and the fault summary is dropped
    text = text.replace("    title: 故障处理知识库季度更新\n    every: quarter",
                        "    title: 故障处理知识库半年更新\n    every: half_year")
    start = text.index("  - code: fault-summary")
    end = text.index("  - code: weekly-monitoring")
    text = text[:start] + text[end:]
    result = profiles.load_profile(alice, text, now=at(2026, 5, 15, 9))
    assert result.created and result.version.number == 2
    # done: untouched, still under version 1
    done.refresh_from_db()
    assert done.status == ObligationStatus.DONE and done.version.number == 1
    # overdue open: owed under version 1, kept
    assert ObligationOccurrence.objects.filter(pk=overdue.pk).exists()
    # future open of a dropped obligation: removed
    assert not ObligationOccurrence.objects.filter(pk=future.pk).exists()
    kb = ObligationOccurrence.objects.filter(profile=edu, code="knowledge-base") \
        .order_by("period_start")
    # Q1 done stays (it also stands for v2's first half: same period start); Q2 and Q4,
    # open and not due yet, are not in v2: removed; Q3 becomes the second half-year
    assert [(o.period_start, o.period_end, o.status, o.version.number) for o in kb] == [
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31), "done", 1),
        (dt.date(2026, 7, 1), dt.date(2026, 12, 31), "open", 2)]
    second = kb.last()
    assert second is not None
    assert second.title == "故障处理知识库半年更新" and second.due_at == at(2026, 12, 31, 18)
    assert second.sequence == 3   # numbers are never reused
    assert result.version.profile.pk == edu.pk
    audit = AuditRecord.objects.filter(object_type="contracts.contractprofile") \
        .order_by("pk").last()
    assert audit is not None and '"removed":[' in audit.detail_json


# --- complete, waive, assign ---------------------------------------------------------------
@pytest.fixture
def ticket(edu: Any, cmdb: dict[str, Any], alice: Any) -> Any:
    from careops.servicedesk.actions import open_ticket

    return open_ticket(alice, "incident", "备份恢复演练", "季度恢复演练记录", [cmdb["systems"][0]],
                       now=at(2026, 3, 20, 10))


def test_it_completes_with_a_ticket_as_evidence(edu: Any, bob: Any, ticket: Any) -> None:
    drill = occ(edu, "restore-drill", dt.date(2026, 1, 1))
    actions.complete(bob, drill, evidence=ticket, now=at(2026, 3, 25, 15))
    drill.refresh_from_db()
    assert drill.status == ObligationStatus.DONE and drill.done_by == bob
    assert drill.evidence == ticket and drill.done_at == at(2026, 3, 25, 15)
    record = AuditRecord.objects.filter(object_type="contracts.obligationoccurrence",
                                        object_id=str(drill.pk)).get()
    assert record.action == AuditAction.UPDATE and record.actor_username == "bob"
    assert f'"evidence":"servicedesk.ticket:{ticket.pk}"' in record.detail_json
    assert '"late":false' in record.detail_json
    with pytest.raises(actions.NotOpen):   # a second completion loses
        actions.complete(bob, occ(edu, "restore-drill", dt.date(2026, 1, 1)), evidence=ticket)


def test_it_refuses_a_completion_without_evidence_naming_the_field(edu: Any, bob: Any) -> None:
    drill = occ(edu, "restore-drill", dt.date(2026, 1, 1))
    with pytest.raises(ValidationError) as info:
        actions.complete(bob, drill, note="done")
    assert "evidence" in info.value.message_dict
    drill.refresh_from_db()
    assert drill.status == ObligationStatus.OPEN
    with pytest.raises(ValidationError) as info:
        actions.complete(bob, drill, evidence_file=SimpleUploadedFile("空.pdf", b""))
    assert "evidence_file" in info.value.message_dict


def test_it_stores_an_evidence_file(edu: Any, bob: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    drill = occ(edu, "restore-drill", dt.date(2026, 4, 1))
    upload = SimpleUploadedFile("../备份恢复验证报告.pdf", b"%PDF-1.4 report")
    actions.complete(bob, drill, evidence_file=upload, now=at(2026, 7, 2, 9))
    drill.refresh_from_db()
    assert drill.evidence_file.name.endswith("备份恢复验证报告.pdf")
    assert ".." not in drill.evidence_file.name
    assert drill.evidence_file.read() == b"%PDF-1.4 report"
    assert '"late":true' in AuditRecord.objects.filter(
        object_id=str(drill.pk), object_type="contracts.obligationoccurrence").get().detail_json


def test_a_vendor_engineer_cannot_waive(edu: Any, bob: Any, alice: Any) -> None:
    partial = occ(edu, "onsite-inspection", dt.date(2026, 1, 1))
    with pytest.raises(PermissionDenied):
        actions.waive(bob, partial, "系统停用，院方同意免除")
    partial.refresh_from_db()
    assert partial.status == ObligationStatus.OPEN
    with pytest.raises(ValidationError) as info:
        actions.waive(alice, partial, " ")
    assert "reason" in info.value.message_dict
    actions.waive(alice, partial, "系统停用，院方同意免除", now=at(2026, 3, 1, 9))
    partial.refresh_from_db()
    assert partial.status == ObligationStatus.WAIVED and partial.note == "系统停用，院方同意免除"
    assert partial.done_by == alice


def test_it_assigns_only_to_people_who_may_work_on_it(edu: Any, alice: Any, bob: Any,
                                                      charlie: Any, auditor: Any) -> None:
    item = occ(edu, "remote-inspection", dt.date(2026, 5, 1))
    with pytest.raises(ValidationError) as info:
        actions.assign(alice, item, charlie)
    assert "assignee" in info.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.assign(auditor, item, bob)
    actions.assign(alice, item, bob)
    item.refresh_from_db()
    assert item.assignee == bob
    actions.assign(bob, item, None)
    item.refresh_from_db()
    assert item.assignee is None


def test_someone_outside_the_contract_cannot_complete(jiahe: Any, bob: Any) -> None:
    item = occ(jiahe, "technical-documents", dt.date(2026, 1, 1))
    with pytest.raises(PermissionDenied):
        actions.complete(bob, item, note="技术文档已提交院方信息科存档")


def test_it_refuses_evidence_the_actor_cannot_see(edu: Any, jiahe: Any, alice: Any,
                                                  bob: Any, make_user: Any) -> None:
    from careops.cmdb.models import BusinessSystem
    from careops.servicedesk.actions import open_ticket

    icu = BusinessSystem.objects.get(code="ICU-JH")
    hidden = open_ticket(alice, "incident", "ICU", "重症系统故障", [icu], now=at(2026, 3, 2, 9))
    drill = occ(edu, "restore-drill", dt.date(2026, 1, 1))
    with pytest.raises(ValidationError) as info:
        actions.complete(bob, drill, evidence=hidden)
    assert "evidence" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        actions.resolve_evidence(bob, hidden.number)
    assert "evidence" in info.value.message_dict
    assert actions.resolve_evidence(alice, hidden.number) == hidden
    assert actions.resolve_evidence(alice, {"type": "servicedesk.ticket", "id": hidden.pk}) \
        == hidden
    with pytest.raises(ValidationError):
        actions.resolve_evidence(alice, {"type": "auth.user", "id": alice.pk})


# --- overdue ---------------------------------------------------------------------------------
def test_overdue_is_notified_once_with_two_calls(edu: Any, alice: Any, bob: Any,
                                                 channel: Channel) -> None:
    # By 1 April 09:00 every January–March occurrence is past its deadline; the Q1
    # on-site inspection has a report and is overdue only after its report deadline.
    kb = occ(edu, "knowledge-base", dt.date(2026, 1, 1))
    actions.assign(alice, kb, bob)
    actions.complete(bob, occ(edu, "restore-drill", dt.date(2026, 1, 1)),
                     note="已完成季度恢复演练，报告见共享盘", now=at(2026, 3, 30, 9))
    now = at(2026, 4, 1, 9)
    expected = set(actions.overdue_candidates(now).values_list("pk", flat=True))
    assert kb.pk in expected
    assert occ(edu, "onsite-inspection", dt.date(2026, 1, 1)).pk not in expected
    assert occ(edu, "restore-drill", dt.date(2026, 1, 1)).pk not in expected  # done on time
    assert actions.notify_overdue(now) == len(expected)
    assert actions.notify_overdue(now + dt.timedelta(hours=1)) == 0
    assert Notification.objects.filter(event="obligation.overdue").count() == len(expected)
    notice = Notification.objects.get(data__occurrence=kb.pk)
    assert notice.data["assignee"] == "bob" and notice.link.endswith(f"/{kb.pk}/")
    assert "知识库" in notice.title
    kb.refresh_from_db()
    assert kb.overdue_notified_at == now
    assert AuditRecord.objects.filter(action=AuditAction.NOTIFY,
                                      object_id=str(kb.pk)).count() == 1


def test_a_late_completion_is_still_notified_once(edu: Any, bob: Any, channel: Channel,
                                                  english: Any) -> None:
    drill = occ(edu, "restore-drill", dt.date(2026, 1, 1))
    actions.complete(bob, drill, note="演练延期至四月初完成，报告已提交", now=at(2026, 4, 2, 9))
    assert drill.pk in set(actions.overdue_candidates(at(2026, 4, 3)).values_list("pk",
                                                                                  flat=True))
    actions.notify_overdue(at(2026, 4, 3))
    notice = Notification.objects.get(data__occurrence=drill.pk)
    assert notice.title.startswith("Obligation done late")


def test_the_periodic_tasks_run(edu: Any, channel: Channel) -> None:
    from careops.contracts import tasks

    assert tasks.sync_obligations.call_local() == 0   # already in line
    ObligationOccurrence.objects.filter(profile=edu, code="weekly-monitoring").delete()
    assert tasks.sync_obligations.call_local() == 1
    assert ObligationOccurrence.objects.filter(profile=edu, code="weekly-monitoring").count() \
        >= 52
    from django.utils import timezone

    # whatever the machine's clock says: every candidate at its "now" is notified
    expected = actions.overdue_candidates(timezone.now()).count()
    assert tasks.notify_overdue_obligations.call_local() == expected
    assert not actions.overdue_candidates(timezone.now()).exists()


def test_it_refuses_a_ticket_of_another_contract_as_evidence(
        edu: Any, jiahe: Any, alice: Any, cmdb: dict[str, Any]) -> None:
    from careops.cmdb.models import BusinessSystem
    from careops.servicedesk.actions import open_ticket

    icu = BusinessSystem.objects.get(code="ICU-JH")
    other = open_ticket(alice, "incident", "ICU", "重症系统故障", [icu], now=at(2026, 3, 2, 9))
    printer = BusinessSystem.objects.create(code="PRINT", name="打印", category="office")
    no_sla = open_ticket(alice, "incident", "打印", "", [printer], now=at(2026, 3, 2, 9))
    drill = occ(edu, "restore-drill", dt.date(2026, 1, 1))
    for ticket in (other, no_sla):        # alice sees both: the contract is what is wrong
        with pytest.raises(ValidationError) as info:
            actions.complete(alice, drill, evidence=ticket, now=at(2026, 3, 25, 15))
        assert "evidence" in info.value.message_dict
    drill.refresh_from_db()
    assert drill.status == ObligationStatus.OPEN
    own = open_ticket(alice, "incident", "视频", "", [cmdb["systems"][0]],
                      now=at(2026, 3, 2, 9))
    actions.complete(alice, drill, evidence=own, now=at(2026, 3, 25, 15))
    assert ObligationOccurrence.objects.get(pk=drill.pk).evidence == own
