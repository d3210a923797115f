"""Typed relations between configuration items."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from careops.cmdb import graph
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
        version, current = graph.current()
        try:
            current.check_new_relation(source.pk, type, target.pk)
        except RelationError as exc:
            raise ValidationError({"type": refusal_message(exc)}) from None
        relation = Relation(source=source, type=type, target=target, note=note,
                            is_demo=is_demo)
        relation.full_clean()
        relation.save()
        audit.record(AuditAction.CREATE, actor=actor, request=request, obj=relation,
                     changes=audit.diff(None, audit.snapshot(relation)))
        graph.relation_added(version, current, relation)
    return relation


def refusal_message(exc: RelationError) -> str:
    """Why a relation is refused, in the user's language."""
    templates = {
        "self": _("%(item)s cannot relate to itself"),
        "unknown_type": _("unknown relation type %(type)s"),
        "pair": _("%(source)s (%(source_kind)s) cannot be %(type)s %(target)s "
                  "(%(target_kind)s)"),
        "exists": _("%(source)s is already %(type)s %(target)s"),
        "cycle": _("this relation would make a cycle: %(path)s"),
    }
    template = templates.get(exc.code)
    return template % exc.params if template else str(exc)


def remove(actor: Any, relation: Relation, *, request: Any = None) -> None:
    if not access.can_change(actor, relation.source):
        raise PermissionDenied(_("You may not change %(item)s.") % {"item": relation.source})
    with transaction.atomic():
        audit.record(AuditAction.DELETE, actor=actor, request=request, obj=relation,
                     changes=audit.diff(audit.snapshot(relation), None))
        relation.delete()
