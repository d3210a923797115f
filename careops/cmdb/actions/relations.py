"""Typed relations between configuration items."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from careops.cmdb.graph import graph
from careops.cmdb.models import ConfigItem, Relation
from careops.core import access, audit
from careops.core.choices import AuditAction
from careops.logic.impact import RelationError


def add(actor: Any, source: ConfigItem, type: str, target: ConfigItem, *, note: str = "",
        request: Any = None, is_demo: bool = False) -> Relation:
    """``source type target``; refused (ValidationError on "type") when the pair is not
    allowed, exists already, or would make a cycle — the message names the cycle."""
    if not access.can_change(actor, source) or not access.can_view(actor, target):
        raise PermissionDenied(_("You may not relate %(a)s to %(b)s.") % {"a": source,
                                                                          "b": target})
    with transaction.atomic():
        try:
            graph().check_new_relation(source.pk, type, target.pk)
        except RelationError as exc:
            raise ValidationError({"type": str(exc)}) from None
        relation = Relation(source=source, type=type, target=target, note=note,
                            is_demo=is_demo)
        relation.full_clean()
        relation.save()
        audit.record(AuditAction.CREATE, actor=actor, request=request, obj=relation,
                     changes=audit.diff(None, audit.snapshot(relation)))
    return relation


def remove(actor: Any, relation: Relation, *, request: Any = None) -> None:
    if not access.can_change(actor, relation.source):
        raise PermissionDenied(_("You may not change %(item)s.") % {"item": relation.source})
    with transaction.atomic():
        audit.record(AuditAction.DELETE, actor=actor, request=request, obj=relation,
                     changes=audit.diff(audit.snapshot(relation), None))
        relation.delete()
