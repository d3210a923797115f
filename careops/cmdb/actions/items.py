"""Create, change and delete configuration items and the plain records around them
(sites, buildings, floors, departments, vendors, contacts)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
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


def create_many(actor: Any, model: type[models.Model],
                rows: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]], *,
                request: Any = None) -> list[models.Model]:
    """Create many records of ``model`` at once (imports): ``rows`` are (fields, m2m)
    pairs. Each record is validated like :func:`create` and gets its own CREATE audit
    record, but inserts, uniqueness checks and the audit trail are batched. References
    must be saved instances (so they exist); all or nothing."""
    _check_can_create(actor)
    if not rows:
        return []
    if not connection.features.can_return_rows_from_bulk_insert:  # MySQL: one by one
        with transaction.atomic():
            return [create(actor, model, fields, m2m=m2m, request=request)
                    for fields, m2m in rows]
    objs: list[models.Model] = []
    errors: dict[str, list[str]] = {}
    for fields, _m2m in rows:
        obj = model()
        for name, value in fields.items():
            setattr(obj, name, value)
        if isinstance(obj, ConfigItem):
            obj.kind = type(obj).KIND
        # References are instances the caller loaded or saved: no lookup per row.
        saved_refs = [name for name, value in fields.items()
                      if isinstance(value, models.Model) and value.pk is not None]
        try:
            obj.full_clean(exclude=saved_refs, validate_unique=False)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(f"{obj}: {m}" for m in messages)
        objs.append(obj)
    codes = [getattr(obj, "code", None) for obj in objs if hasattr(obj, "code")]
    if codes:
        base = ConfigItem if issubclass(model, ConfigItem) else model
        taken = set()
        for start in range(0, len(codes), 500):
            taken |= set(base._default_manager.filter(
                code__in=codes[start:start + 500]).values_list("code", flat=True))
        counts = Counter(codes)
        duplicates = taken | {c for c, n in counts.items() if n > 1}
        if duplicates:
            errors.setdefault("code", []).append(
                _("These codes exist already: %(codes)s") % {"codes": ", ".join(
                    sorted(str(c) for c in duplicates))})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _bulk_insert(model, objs)
        records = []
        for obj, (_fields, m2m) in zip(objs, rows, strict=True):
            for name, values in m2m.items():
                field = model._meta.get_field(name)
                through = field.remote_field.through  # type: ignore[union-attr]
                source = field.m2m_field_name()  # type: ignore[union-attr]
                target = field.m2m_reverse_field_name()  # type: ignore[union-attr]
                through.objects.bulk_create(
                    [through(**{f"{source}_id": obj.pk, f"{target}_id": v.pk}) for v in values])
            after = {**audit.snapshot(obj),
                     **{name: sorted(v.pk for v in values) for name, values in m2m.items()}}
            records.append(audit.build(AuditAction.CREATE, actor=actor, request=request,
                                       obj=obj, changes=audit.diff(None, after)))
        audit.append(records)
    return objs


def _bulk_insert(model: type[models.Model], objs: list[models.Model]) -> None:
    """INSERT ``objs``, children of ConfigItem too (bulk_create refuses multi-table
    inheritance: the parent rows are bulk-created, then the child rows inserted)."""
    if not issubclass(model, ConfigItem):
        model._default_manager.bulk_create(objs, batch_size=500)
        return
    parents = [ConfigItem(**{f.attname: getattr(obj, f.attname)
                             for f in ConfigItem._meta.concrete_fields if not f.primary_key})
               for obj in objs]
    ConfigItem.objects.bulk_create(parents, batch_size=500)
    fields = list(model._meta.local_concrete_fields)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model)
        quote(model._meta.db_table), ", ".join(quote(str(f.column)) for f in fields),
        ", ".join(["%s"] * len(fields)))
    for obj, parent in zip(objs, parents, strict=True):
        for f in ConfigItem._meta.concrete_fields:
            setattr(obj, f.attname, getattr(parent, f.attname))
        obj.pk = parent.pk
    params = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
              for obj in objs]
    with connection.cursor() as cursor:
        for start in range(0, len(params), 500):
            cursor.executemany(sql, params[start:start + 500])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = str(connection.alias)


def _stored_value(stored: models.Model, name: str, value: Any) -> tuple[Any, Any]:
    """``(what is stored, what is asked)`` for field ``name``, comparable."""
    field = stored._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        return getattr(stored, field.attname), getattr(value, "pk", value)
    return getattr(stored, name), value


def _check_credential_fields(actor: Any, stored: models.Model,
                             fields: Mapping[str, Any]) -> None:
    """A credential, and where it is sent, are the hospital's to set: otherwise a vendor
    engineer could attach any stored secret to his host, or point a host that has one at
    his own server, and let discovery hand it over."""
    guarded: frozenset[str] = getattr(stored, "credential_target_fields", frozenset())
    if not guarded or has_cap(actor, Cap.MANAGE_ITEMS):
        return
    changed = {name for name, value in fields.items() if name in guarded
               and len(set(map(repr, _stored_value(stored, name, value)))) > 1}
    if "credential" in changed or (changed and getattr(stored, "credential_id", None)):
        raise PermissionDenied(_("Only hospital administrators and IT engineers may change "
                                 "a credential or where it is used (%(fields)s).")
                               % {"fields": ", ".join(sorted(changed))})


def update(actor: Any, obj: models.Model, fields: Mapping[str, Any], *,
           m2m: Mapping[str, Any] | None = None, request: Any = None,
           detail: Mapping[str, Any] | None = None) -> models.Model:
    _check_can_change(actor, obj)
    if isinstance(obj, ConfigItem) and "kind" in fields:
        raise ValidationError({"kind": _("The class of an item cannot change.")})
    with transaction.atomic():
        stored = type(obj)._default_manager.get(pk=obj.pk)
        _check_credential_fields(actor, stored, fields)
        before = full_snapshot(stored)
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
