from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from careops.core.choices import AuditAction, AuditResult


class AuditQuerySet(models.QuerySet["AuditRecord"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audit records are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit records are append-only; see careops.core.audit.prune")


class AuditRecord(models.Model):
    """One entry of the append-only, hash-chained audit trail.

    ``hash`` = SHA-256 of ``prev_hash`` and the canonical JSON of the other fields
    (see ``careops.core.audit.record_digest``). ``changes`` and ``detail`` are kept as
    the exact canonical JSON text that was hashed, so verification never depends on
    how a database re-encodes JSON.
    """

    at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("user id"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("user"), max_length=150, blank=True, db_index=True)
    source_ip = models.GenericIPAddressField(_("source address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices,
                              db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=AuditResult.choices,
                              default=AuditResult.SUCCESS)
    changes_json = models.TextField(_("changes"), blank=True, default="")
    detail_json = models.TextField(_("detail"), blank=True, default="")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit records are append-only")

    @property
    def changes(self) -> Any:
        return json.loads(self.changes_json) if self.changes_json else None

    @property
    def detail(self) -> Any:
        return json.loads(self.detail_json) if self.detail_json else None


class AuditChainHead(models.Model):
    """A single row locked while a record is appended, so the chain stays linear."""

    last_hash = models.CharField(max_length=64, default="0" * 64)
    last_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"audit chain head #{self.last_id}"
