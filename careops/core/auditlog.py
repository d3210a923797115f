"""Checking and pruning the audit trail (GB/T 22239-2019 8.1.4.3).

:func:`verify_chain` recomputes every record's hash in id order and checks that
each record names its predecessor's hash, so an altered record (hash mismatch),
a deleted or inserted one (link mismatch) and a deleted tail (the chain head
points past the last record) are all found.

:func:`prune` deletes records older than the retention (``AUDIT_RETENTION_DAYS``,
never less than 180 days) and appends one ``prune`` record whose detail anchors
the new start of the chain::

    {"pruned_through_id": N, "last_pruned_hash": H, "count": C, "before": "<ISO cutoff>"}

so that the first remaining record's ``prev_hash`` (= H) stays verifiable.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from careops.core import audit
from careops.core.choices import AuditAction
from careops.core.dbtriggers import MIN_RETENTION_DAYS
from careops.core.models import AuditChainHead, AuditRecord

log = logging.getLogger(__name__)
CHUNK_SIZE = 2000


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    broken_id: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"audit chain OK: {self.count} records"
        return f"audit chain broken at record #{self.broken_id}: {self.reason}"


def record_hash_ok(rec: AuditRecord) -> bool:
    """Whether the content of ``rec`` still matches its stored hash."""
    return audit.record_digest(rec.prev_hash, audit.hashed_fields(rec)) == rec.hash


def _prune_anchors() -> dict[str, int]:
    """``last_pruned_hash -> pruned_through_id`` of every remaining prune record."""
    anchors: dict[str, int] = {}
    rows = AuditRecord.objects.filter(action=AuditAction.PRUNE).values_list("detail_json",
                                                                            flat=True)
    for detail_json in rows.iterator(chunk_size=CHUNK_SIZE):
        try:
            detail = json.loads(detail_json) if detail_json else {}
            anchors[str(detail["last_pruned_hash"])] = int(detail["pruned_through_id"])
        except (ValueError, KeyError, TypeError):
            continue  # an altered prune record fails its own hash check
    return anchors


def verify_chain() -> VerifyResult:
    """Recompute the whole chain, a chunk of records at a time."""
    head = AuditChainHead.objects.filter(pk=1).first()
    records = AuditRecord.objects.order_by("id")
    if head is not None and head.last_id is not None:
        # Records appended while we read are checked next time.
        records = records.filter(id__lte=head.last_id)
    anchors: dict[str, int] | None = None
    previous: AuditRecord | None = None
    count = 0
    for rec in records.iterator(chunk_size=CHUNK_SIZE):
        if not record_hash_ok(rec):
            return VerifyResult(False, count, rec.pk,
                                "hash mismatch: the record's content was altered")
        if previous is None:
            if rec.prev_hash != audit.GENESIS_HASH:
                if anchors is None:
                    anchors = _prune_anchors()
                through = anchors.get(rec.prev_hash)
                if through is None or through >= rec.pk:
                    return VerifyResult(
                        False, count, rec.pk,
                        "link mismatch: the first record follows neither the start of the "
                        "chain nor an audited pruning (earlier records were deleted)")
        elif rec.prev_hash != previous.hash:
            return VerifyResult(
                False, count, rec.pk,
                f"link mismatch: prev_hash does not match record #{previous.pk} "
                "(a record before it was deleted, inserted or altered)")
        previous = rec
        count += 1
    head_hash = head.last_hash if head is not None else audit.GENESIS_HASH
    last_hash = previous.hash if previous is not None else None
    if previous is None and head_hash == audit.GENESIS_HASH:
        return VerifyResult(True, 0)
    if last_hash != head_hash:
        missing = head.last_id if head is not None and head.last_id is not None else 0
        after = f"#{previous.pk}" if previous is not None else "the start"
        return VerifyResult(
            False, count, missing,
            f"missing: the chain head names this record but the trail ends at {after} "
            "(records at the end were deleted)")
    return VerifyResult(True, count)


def retention_days() -> int:
    """The configured retention, never under the legal minimum of 180 days."""
    return max(int(settings.AUDIT_RETENTION_DAYS), MIN_RETENTION_DAYS)


def prune_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Records strictly older than this may be pruned."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days())
    # A ``now`` in the future must not shorten the minimum retention either.
    return min(cutoff, timezone.now() - dt.timedelta(days=MIN_RETENTION_DAYS))


@dataclass(frozen=True)
class PrunePlan:
    cutoff: dt.datetime
    count: int
    through_id: int | None
    last_hash: str


def plan_prune(now: dt.datetime | None = None) -> PrunePlan:
    """What :func:`prune` would delete: every record before the first one to keep.

    Records are removed as a prefix of the chain (ids below the first record at or
    after the cutoff), so the remaining chain has no hole.
    """
    cutoff = prune_cutoff(now)
    first_kept = (AuditRecord.objects.filter(at__gte=cutoff).order_by("id")
                  .values_list("id", flat=True).first())
    doomed = AuditRecord.objects.filter(at__lt=cutoff)
    if first_kept is not None:
        doomed = doomed.filter(id__lt=first_kept)
    last = doomed.order_by("-id").values_list("id", "hash").first()
    if last is None:
        return PrunePlan(cutoff, 0, None, "")
    return PrunePlan(cutoff, doomed.count(), last[0], last[1])


def prune(now: dt.datetime | None = None, *, actor: Any = None,
          request: HttpRequest | None = None) -> int:
    """Delete the records beyond the retention and audit the pruning; return the count."""
    with transaction.atomic():
        # The head lock keeps appends out while the start of the chain moves.
        AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        plan = plan_prune(now)
        if plan.through_id is None:
            return 0
        table = connection.ops.quote_name(AuditRecord._meta.db_table)
        with connection.cursor() as cursor:
            # The only place audit records are ever deleted (the ORM refuses it).
            cursor.execute(f"DELETE FROM {table} WHERE id <= %s AND at < %s",  # noqa: S608
                           [plan.through_id, plan.cutoff])
            deleted = int(cursor.rowcount)
        audit.record(
            AuditAction.PRUNE, actor=actor, request=request, username="system",
            object_type="core.auditrecord",
            object_repr=f"#{plan.through_id}",
            detail={"pruned_through_id": plan.through_id, "last_pruned_hash": plan.last_hash,
                    "count": deleted, "before": plan.cutoff.isoformat(),
                    "retention_days": retention_days()})
    log.info("audit trail: pruned %d records up to #%d", deleted, plan.through_id)
    return deleted
