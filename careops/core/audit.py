"""The audit trail (GB/T 22239-2019 8.1.4.3): append-only, hash-chained records.

Every state change in an ``actions.py`` calls :func:`record`. Use :func:`snapshot`
before and after a change and pass :func:`diff` of the two as ``changes``; fields
that hold secrets are masked in both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from careops.core.choices import AuditResult
from careops.core.models.audit import AuditChainHead, AuditRecord

GENESIS_HASH = "0" * 64
MASK = "******"
# Field names that hold secrets: their values never enter the audit trail.
SECRET_FIELD_WORDS = ("password", "secret", "token", "key", "credential", "private")


def canonical_json(value: Any) -> str:
    """JSON that is the same text for the same value: sorted keys, no spaces."""
    if value is None:
        return ""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)


def record_digest(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """The hash of one record: SHA-256 over the previous hash and the record's fields."""
    payload = canonical_json({"prev": prev_hash, **fields})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def hashed_fields(rec: AuditRecord) -> dict[str, Any]:
    """The fields of ``rec`` that its hash covers, in a database-independent form."""
    at = rec.at.astimezone(dt.UTC) if rec.at.tzinfo else rec.at.replace(tzinfo=dt.UTC)
    return {
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": rec.actor_id,
        "actor_username": rec.actor_username,
        "source_ip": rec.source_ip or "",
        "action": rec.action,
        "object_type": rec.object_type,
        "object_id": rec.object_id,
        "object_repr": rec.object_repr,
        "result": rec.result,
        "changes": rec.changes_json,
        "detail": rec.detail_json,
    }


def request_ip(request: HttpRequest | None) -> str | None:
    """The client address. Behind a proxy, configure it to set REMOTE_ADDR."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def object_label(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def is_secret_field(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_FIELD_WORDS)


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON-able data, secrets masked."""
    exclude: frozenset[str] = getattr(obj, "audit_exclude", frozenset())
    secret: frozenset[str] = getattr(obj, "audit_secret_fields", frozenset())
    # References to secrets (a credential's id) are not secrets themselves.
    plain: frozenset[str] = getattr(obj, "audit_plain_fields", frozenset())
    wanted = set(fields) if fields is not None else None
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        name = field.attname
        if name in exclude or (wanted is not None and field.name not in wanted):
            continue
        value = getattr(obj, name)
        if name in secret or (is_secret_field(field.name) and field.name not in plain):
            data[field.name] = MASK if value not in (None, "") else ""
        else:
            data[field.name] = json.loads(canonical_json(value) or "null")
    return data


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """``{"field": [old, new]}`` for the fields that differ; all fields on create/delete."""
    before = before or {}
    after = after or {}
    keys = sorted(set(before) | set(after))
    return {
        k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)
    }


def build(
    action: str,
    *,
    actor: Any = None,
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    result: str = AuditResult.SUCCESS,
    changes: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
    username: str = "",
) -> AuditRecord:
    """An unsaved record (see :func:`record`); :func:`append` adds records to the chain."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if obj is not None:
        object_type = object_type or object_label(obj)
        object_id = object_id or (obj.pk if obj.pk is not None else "")
        object_repr = object_repr or str(obj)
    rec = AuditRecord(
        at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_username=(getattr(actor, "username", "") or username)[:150],
        source_ip=request_ip(request),
        action=action,
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        object_repr=object_repr[:200],
        result=result,
        changes_json=canonical_json(dict(changes)) if changes else "",
        detail_json=canonical_json(dict(detail)) if detail else "",
    )
    return rec


def record(action: str, **kwargs: Any) -> AuditRecord:
    """Append one record to the chain. Call it inside the transaction of the change.
    Takes the arguments of :func:`build`."""
    return append([build(action, **kwargs)])[0]


def append(records: list[AuditRecord]) -> list[AuditRecord]:
    """Chain and save ``records`` (from :func:`build`) in order, locking the head once:
    bulk changes (an import of 10,000 rows) write their trail in a few queries."""
    if not records:
        return records
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        prev = head.last_hash
        for rec in records:
            rec.prev_hash = prev
            rec.hash = prev = record_digest(rec.prev_hash, hashed_fields(rec))
        if len(records) == 1 or not connection.features.can_return_rows_from_bulk_insert:
            for rec in records:
                rec.save()
        else:
            AuditRecord.objects.bulk_create(records, batch_size=500)
        head.last_hash = records[-1].hash
        head.last_id = records[-1].pk
        head.save(update_fields=["last_hash", "last_id"])
    return records
