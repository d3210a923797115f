"""Create, change and delete configuration items and the plain records around them
(sites, buildings, floors, departments, vendors, contacts)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from careops.cmdb.models import ConfigItem, Interface, Relation
from careops.core import access, audit
from careops.core.choices import AuditAction
from careops.core.roles import Cap, has_cap


@dataclass(frozen=True)
class Dependent:
    """Something that refers to an item about to be deleted."""

    item: ConfigItem | None
    label: str
    how: str  # the relation type or the field that points at the item
    removed_with_cascade: bool  # deleted (True) or merely detached (False) by a cascade


class ItemInUse(Exception):
    def __init__(self, item: Any, dependents: list[Dependent]) -> None:
        self.item = item
        self.dependents = dependents
        names = ", ".join(f"{d.label} ({d.how})" for d in dependents)
        super().__init__(_("%(item)s is still used by: %(names)s") % {"item": item,
                                                                        "names": names})


def m2m_snapshot(obj: models.Model) -> dict[str, Any]:
    return {f.name: sorted(getattr(obj, f.name).values_list("pk", flat=True))
            for f in obj._meta.many_to_many} if obj.pk else {}


def full_snapshot(obj: models.Model) -> dict[str, Any]:
    return {**audit.snapshot(obj), **m2m_snapshot(obj)}


def _check_can_create(actor: Any) -> None:
    if not has_cap(actor, Cap.MANAGE_ITEMS):
        raise PermissionDenied(_("Only hospital administrators and IT engineers may create or "
                                 "delete configuration items."))


def _check_can_change(actor: Any, obj: models.Model) -> None:
    if isinstance(obj, ConfigItem):
        if not access.can_change(actor, obj):
            raise PermissionDenied(_("You may not change %(item)s.") % {"item": obj})
    elif not has_cap(actor, Cap.MANAGE_ITEMS):
        raise PermissionDenied(_("You may not change %(item)s.") % {"item": obj})


def _apply(obj: models.Model, fields: Mapping[str, Any],
           m2m: Mapping[str, Any] | None) -> None:
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)


def create(actor: Any, model: type[models.Model], fields: Mapping[str, Any], *,
           m2m: Mapping[str, Any] | None = None, request: Any = None,
           is_demo: bool = False) -> models.Model:
    """Create a record of ``model``; ValidationError names each bad field."""
    _check_can_create(actor)
    with transaction.atomic():
        obj = model()
        if is_demo and hasattr(obj, "is_demo"):
            obj.is_demo = True
        _apply(obj, fields, m2m)
        audit.record(AuditAction.CREATE, actor=actor, request=request, obj=obj,
                     changes=audit.diff(None, full_snapshot(obj)))
    return obj


def update(actor: Any, obj: models.Model, fields: Mapping[str, Any], *,
           m2m: Mapping[str, Any] | None = None, request: Any = None,
           detail: Mapping[str, Any] | None = None) -> models.Model:
    _check_can_change(actor, obj)
    if isinstance(obj, ConfigItem) and "kind" in fields:
        raise ValidationError({"kind": _("The class of an item cannot change.")})
    with transaction.atomic():
        before = full_snapshot(type(obj)._default_manager.get(pk=obj.pk))
        _apply(obj, fields, m2m)
        changes = audit.diff(before, full_snapshot(obj))
        changes.pop("updated_at", None)
        if changes:
            audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=obj,
                         changes=changes, detail=detail)
    return obj


def dependents_of(obj: models.Model) -> list[Dependent]:
    """What refers to ``obj``: relations that need it, and records that point at it."""
    found: list[Dependent] = []
    if isinstance(obj, ConfigItem):
        for rel in Relation.objects.filter(target=obj).select_related("source"):
            found.append(Dependent(rel.source, str(rel.source), rel.get_type_display(), False))
    for related in obj._meta.related_objects:
        if related.many_to_many or related.one_to_one:
            continue
        if related.on_delete is not models.PROTECT:
            continue
        if related.related_model is Relation:
            continue
        rows = related.related_model._default_manager.filter(**{related.field.name: obj})
        for row in rows:
            # An interface cannot exist without its systems: a cascade deletes it.
            removed = isinstance(row, Interface) or not related.field.null
            item = row if isinstance(row, ConfigItem) else None
            found.append(Dependent(item, str(row), str(related.field.verbose_name), removed))
    return found


def delete(actor: Any, obj: models.Model, *, cascade: bool = False,
           request: Any = None) -> list[Dependent]:
    """Delete ``obj``. If others depend on it, raise ItemInUse listing them — unless
    ``cascade``: then relations to it are removed, references to it cleared, and
    records that cannot exist without it (interfaces of a system) deleted. Returns
    the dependents that the cascade touched."""
    _check_can_create(actor)
    with transaction.atomic():
        dependents = dependents_of(obj)
        if dependents and not cascade:
            raise ItemInUse(obj, dependents)
        for dependent in dependents:
            row = dependent.item
            if row is None:
                continue
            if dependent.removed_with_cascade:
                delete(actor, row, cascade=True, request=request)
        if isinstance(obj, ConfigItem):
            for rel in Relation.objects.filter(target=obj):
                audit.record(AuditAction.DELETE, actor=actor, request=request, obj=rel,
                             detail={"cascade_of": obj.pk})
                rel.delete()
        for related in obj._meta.related_objects:
            if (related.one_to_many and related.on_delete is models.PROTECT
                    and related.field.null and related.related_model is not Relation):
                for referrer in related.related_model._default_manager.filter(
                        **{related.field.name: obj}):
                    update(actor, referrer, {related.field.name: None}, request=request)
        audit.record(AuditAction.DELETE, actor=actor, request=request, obj=obj,
                     changes=audit.diff(full_snapshot(obj), None),
                     detail={"cascade": cascade} if dependents else None)
        obj.delete()
    return dependents
