"""The audit trail below the pages: hash chain, verification, pruning, triggers.

This file also runs on MariaDB (scripts/test.sh) and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from careops.core import audit, auditlog, dbtriggers
from careops.core.choices import AuditAction
from careops.core.models import AuditChainHead, AuditRecord

pytestmark = pytest.mark.usefixtures("english")


@contextlib.contextmanager
def days_ago(days: int) -> Iterator[None]:
    """Records written inside are dated ``days`` days back."""
    real_now = timezone.now
    then = real_now() - dt.timedelta(days=days)
    timezone.now = lambda: then  # type: ignore[assignment]
    try:
        yield
    finally:
        timezone.now = real_now  # type: ignore[assignment]


def add_records(n: int, prefix: str = "item") -> list[AuditRecord]:
    return [
        audit.record(AuditAction.UPDATE, username="alice", object_type="test.item",
                     object_id=i, object_repr=f"{prefix} {i}",
                     changes={"name": [f"{prefix} {i}", f"{prefix} {i}!"]})
        for i in range(n)
    ]


def raw(sql: str, params: list[Any]) -> None:
    table = connection.ops.quote_name(AuditRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("TABLE", table), params)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auditlog, "CHUNK_SIZE", 7)


@pytest.fixture
def no_triggers(transactional_db: Any) -> Iterator[None]:
    """Tampering needs the triggers out of the way; the flush after the test puts
    them back (see conftest.py). Transactional because MariaDB commits DDL."""
    dbtriggers.uninstall(connection)
    yield


def test_it_verifies_a_chain_of_many_records(db: Any, small_chunks: None) -> None:
    records = add_records(50)
    result = auditlog.verify_chain()
    assert result.ok, result.reason
    assert result.count == 50
    assert str(result) == "audit chain OK: 50 records"
    assert records[0].prev_hash == audit.GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(records))


def test_it_verifies_an_empty_trail(db: Any) -> None:
    assert auditlog.verify_chain() == auditlog.VerifyResult(True, 0)


def test_it_names_an_altered_record(no_triggers: None, small_chunks: None) -> None:
    records = add_records(20)
    victim = records[12]
    raw("UPDATE TABLE SET object_repr = %s WHERE id = %s", ["harmless", victim.pk])
    result = auditlog.verify_chain()
    assert not result.ok
    assert result.broken_id == victim.pk
    assert result.count == 12
    assert "hash mismatch" in result.reason


def test_it_names_an_altered_result_even_with_a_recomputed_hash(no_triggers: None) -> None:
    records = add_records(5)
    victim = AuditRecord.objects.get(pk=records[2].pk)
    victim.result = "failure"
    forged = audit.record_digest(victim.prev_hash, audit.hashed_fields(victim))
    raw("UPDATE TABLE SET result = %s, hash = %s WHERE id = %s",
        ["failure", forged, victim.pk])
    result = auditlog.verify_chain()
    # The forged record itself hashes fine; its successor no longer links to it.
    assert (result.ok, result.broken_id) == (False, records[3].pk)
    assert f"record #{victim.pk}" in result.reason


def test_it_names_the_record_after_a_deleted_one(no_triggers: None, small_chunks: None) -> None:
    records = add_records(20)
    raw("DELETE FROM TABLE WHERE id = %s", [records[9].pk])
    result = auditlog.verify_chain()
    assert not result.ok
    assert result.broken_id == records[10].pk
    assert "link mismatch" in result.reason
    assert f"#{records[8].pk}" in result.reason


def test_it_detects_a_deleted_tail(no_triggers: None) -> None:
    records = add_records(6)
    raw("DELETE FROM TABLE WHERE id >= %s", [records[4].pk])
    result = auditlog.verify_chain()
    assert not result.ok
    assert result.broken_id == records[5].pk
    assert f"ends at #{records[3].pk}" in result.reason


def test_it_detects_deleted_first_records(no_triggers: None) -> None:
    records = add_records(6)
    raw("DELETE FROM TABLE WHERE id <= %s", [records[1].pk])
    result = auditlog.verify_chain()
    assert (result.ok, result.broken_id) == (False, records[2].pk)


def test_the_command_reports_ok_and_broken(no_triggers: None, capsys: Any) -> None:
    records = add_records(4)
    call_command("audit", "verify")
    assert "audit chain OK: 4 records" in capsys.readouterr().out
    raw("UPDATE TABLE SET detail_json = %s WHERE id = %s", ['{"x":1}', records[1].pk])
    with pytest.raises(CommandError, match=rf"audit chain broken at record #{records[1].pk}: ") \
            as exc:
        call_command("audit", "verify")
    assert exc.value.returncode == 1


@pytest.mark.real_clock  # the database trigger reads the database's own clock
def test_it_prunes_old_records_and_stays_verifiable(db: Any) -> None:
    with days_ago(400):
        old = add_records(5, "old")
    recent = add_records(3, "recent")
    assert auditlog.prune() == 5
    assert not AuditRecord.objects.filter(pk__in=[r.pk for r in old]).exists()
    assert AuditRecord.objects.filter(pk__in=[r.pk for r in recent]).count() == 3
    result = auditlog.verify_chain()
    assert result.ok, result.reason
    assert result.count == 4
    pruning = AuditRecord.objects.order_by("-id").first()
    assert pruning is not None and pruning.action == AuditAction.PRUNE
    assert pruning.actor_username == "system"
    assert pruning.detail["count"] == 5
    assert pruning.detail["pruned_through_id"] == old[-1].pk
    assert pruning.detail["last_pruned_hash"] == old[-1].hash == recent[0].prev_hash
    assert pruning.detail["retention_days"] == 365
    assert dt.datetime.fromisoformat(pruning.detail["before"]) < timezone.now() - dt.timedelta(
        days=364)


@pytest.mark.real_clock  # the database trigger reads the database's own clock
def test_successive_prunes_stay_verifiable(db: Any, settings: Any) -> None:
    with days_ago(500):
        add_records(3, "older")
    with days_ago(400):
        middle = add_records(2, "old")
    add_records(2, "recent")
    settings.AUDIT_RETENTION_DAYS = 450
    assert auditlog.prune() == 3
    settings.AUDIT_RETENTION_DAYS = 365
    assert auditlog.prune() == 2
    assert not AuditRecord.objects.filter(pk__in=[r.pk for r in middle]).exists()
    assert AuditRecord.objects.filter(action=AuditAction.PRUNE).count() == 2
    assert auditlog.verify_chain().ok
    assert auditlog.prune() == 0


@pytest.mark.real_clock  # the database trigger reads the database's own clock
def test_it_prunes_everything_old_when_nothing_is_recent(db: Any) -> None:
    with days_ago(400):
        add_records(4)
    assert auditlog.prune() == 4
    assert AuditRecord.objects.count() == 1
    assert auditlog.verify_chain() == auditlog.VerifyResult(True, 1)


@pytest.mark.real_clock  # the database trigger reads the database's own clock
def test_it_never_prunes_under_180_days(db: Any, settings: Any) -> None:
    settings.AUDIT_RETENTION_DAYS = 30
    with days_ago(200):
        ancient = add_records(2, "ancient")
    with days_ago(100):
        add_records(2, "young")
    assert auditlog.retention_days() == 180
    # Not even with a clock in the future.
    assert auditlog.prune(now=timezone.now() + dt.timedelta(days=1000)) == 2
    assert not AuditRecord.objects.filter(pk__in=[r.pk for r in ancient]).exists()
    assert AuditRecord.objects.filter(object_repr__startswith="young").count() == 2
    assert auditlog.verify_chain().ok


@pytest.mark.real_clock  # the database trigger reads the database's own clock
def test_prune_dry_run_deletes_nothing(db: Any, capsys: Any) -> None:
    with days_ago(400):
        add_records(3)
    call_command("audit", "prune", "--dry-run")
    assert "would prune 3 audit records" in capsys.readouterr().out
    assert AuditRecord.objects.count() == 3
    call_command("audit", "prune")
    assert "pruned 3 audit records" in capsys.readouterr().out
    assert AuditRecord.objects.count() == 1


@pytest.mark.real_clock  # the database trigger reads the database's own clock
def test_the_periodic_task_prunes(db: Any) -> None:
    from careops.core.tasks import prune_audit_trail

    with days_ago(400):
        add_records(2)
    assert prune_audit_trail.call_local() == 2
    assert AuditRecord.objects.filter(action=AuditAction.PRUNE).count() == 1


def test_the_orm_refuses_updates_and_deletes(db: Any) -> None:
    rec = add_records(1)[0]
    with pytest.raises(PermissionError):
        AuditRecord.objects.filter(pk=rec.pk).update(object_repr="x")
    with pytest.raises(PermissionError):
        AuditRecord.objects.filter(pk=rec.pk).delete()
    with pytest.raises(PermissionError):
        rec.delete()
    rec.object_repr = "x"
    with pytest.raises(PermissionError):
        rec.save()
    assert AuditRecord.objects.get(pk=rec.pk).object_repr == "item 0"


def test_the_database_refuses_raw_updates(db: Any) -> None:
    rec = add_records(1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("UPDATE TABLE SET object_repr = %s WHERE id = %s", ["x", rec.pk])
    with days_ago(400):
        old = add_records(1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("UPDATE TABLE SET result = %s WHERE id = %s", ["failure", old.pk])
    assert AuditRecord.objects.get(pk=rec.pk).object_repr == "item 0"


@pytest.mark.real_clock  # the database trigger reads the database's own clock
def test_the_database_refuses_raw_deletes_of_recent_records(db: Any) -> None:
    with days_ago(179):
        young = add_records(1)[0]
    with days_ago(181):
        old = add_records(1)[0]
    with pytest.raises(DatabaseError, match="180 days"), transaction.atomic():
        raw("DELETE FROM TABLE WHERE id = %s", [young.pk])
    assert AuditRecord.objects.filter(pk=young.pk).exists()
    raw("DELETE FROM TABLE WHERE id = %s", [old.pk])
    assert not AuditRecord.objects.filter(pk=old.pk).exists()


def test_the_chain_head_follows_the_last_record(db: Any) -> None:
    records = add_records(3)
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_id, head.last_hash) == (records[-1].pk, records[-1].hash)
    assert json.loads(records[0].changes_json) == {"name": ["item 0", "item 0!"]}
