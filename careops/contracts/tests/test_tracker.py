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
    actions.complete(alice, done, note="已更新知识库 23 条，摘要已发项目负责人", now=at(2026, 3, 20))
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
    audit = AuditRecord.objects.filter(object_type="contracts.contractprofile").order_by("pk").last()
    assert audit is not None and '"removed":[' in audit.detail_json
