"""Readable values of CMDB records: table cells, detail rows, history changes."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from careops.cmdb.choices import CRITICALITY_COLOURS, STATUS_COLOURS, Criticality, ItemStatus
from careops.cmdb.models import ConfigItem
from careops.core import audit

EMPTY = mark_safe('<span class="text-secondary">—</span>')
BR = mark_safe("<br>")
# Fields the detail page shows elsewhere or never.
HIDDEN_FIELDS = frozenset({"id", "configitem_ptr", "kind", "is_demo", "name", "code", "notes",
                           "tags", "status", "created_at", "updated_at"})


def url_for(obj: Any, records_visible: bool = True) -> str | None:
    """The page of ``obj``: items by pk, plain records by class and pk."""
    from careops.cmdb.views.registry import BY_MODEL

    if isinstance(obj, ConfigItem):
        return obj.get_absolute_url()
    entry = BY_MODEL.get(type(obj))
    if entry is None or not records_visible:
        return None
    return reverse("cmdb:record_detail", args=[entry.slug, obj.pk])


def link(obj: Any, records_visible: bool = True) -> SafeString:
    if obj is None:
        return EMPTY
    url = url_for(obj, records_visible)
    return format_html('<a href="{}">{}</a>', url, obj) if url else format_html("{}", obj)


def status_badge(value: Any) -> SafeString:
    label = ItemStatus(value).label if value in ItemStatus.values else value
    return format_html('<span class="badge bg-{}-lt">{}</span>',
                       STATUS_COLOURS.get(value, "secondary"), label)


def criticality_badge(value: int | None) -> SafeString:
    if value is None:
        return EMPTY
    colour = CRITICALITY_COLOURS.get(value, "secondary")
    label = Criticality(value).label if value in Criticality.values else value
    return format_html('<span class="badge bg-{} text-{}-fg">{}</span>', colour, colour, label)


def yes_no(value: bool) -> SafeString:
    if value:
        return format_html('<span class="badge bg-red-lt">{}</span>', _("Yes"))
    return format_html('<span class="text-secondary">{}</span>', _("No"))


def plain(value: Any) -> SafeString:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return format_html("{}", _("Yes") if value else _("No"))
    if isinstance(value, (dt.date, dt.datetime, decimal.Decimal)):
        return format_html("{}", formats.localize(value))
    return format_html("{}", value)


def json_list(name: str, value: Any) -> SafeString:
    if not value:
        return EMPTY
    if name == "disks":
        return format_html_join(BR, '<span class="font-monospace-sm">{}</span> {} GB',
                                ((d.get("mount"), d.get("size_gb")) for d in value))
    if name == "monitoring_endpoints":
        return format_html_join(
            BR,
            '<span class="badge bg-azure-lt">{}</span> <span class="font-monospace-sm">{}{}</span>',
            ((e.get("job"), e.get("target"), e.get("path", "")) for e in value))
    return format_html_join(BR, '<span class="font-monospace-sm">{}</span>',
                            ((v,) for v in value))


def cell(obj: Any, column: Any, records_visible: bool) -> SafeString:
    """One table cell of a list page."""
    render = column.render
    value = getattr(obj, column.name, None)
    if render == "link":
        return format_html('<a href="{}" class="fw-medium">{}</a>',
                           url_for(obj, records_visible) or "#", value)
    if render == "code":
        return format_html('<span class="font-monospace-sm">{}</span>', value) if value else EMPTY
    if render == "status":
        return status_badge(value)
    if render == "criticality":
        return criticality_badge(value)
    if render == "bool":
        return yes_no(bool(value))
    if render == "choice":
        return plain(getattr(obj, f"get_{column.name}_display")())
    if render == "os":
        display = obj.get_os_family_display()
        return format_html("{} <span class=\"text-secondary\">{}</span>", display, obj.os_version)
    if render == "fk":
        return link(value, records_visible)
    if render == "m2m":
        names = [(r.name,) for r in value.all()] if value is not None else []
        return format_html_join(", ", "{}", names) if names else EMPTY
    if render == "list":
        return json_list(column.name, value)
    if render == "count":
        return format_html('<span class="badge bg-secondary-lt">{}</span>', value or 0)
    return plain(value)


def field_rows(obj: models.Model, records_visible: bool,
               skip: Iterable[str] = ()) -> list[tuple[Any, SafeString]]:
    """(label, value) for every field of ``obj`` the detail page lists (but ``skip``)."""
    rows: list[tuple[Any, SafeString]] = []
    skipped = set(skip)
    for field in obj._meta.get_fields():
        if field.name in HIDDEN_FIELDS or field.auto_created or field.name in skipped:
            continue  # reverse relations and pointers are auto-created
        if field.many_to_many:
            value = format_html_join(", ", "{}", ((link(r, records_visible),)
                                                  for r in getattr(obj, field.name).all()))
            rows.append((getattr(field, "verbose_name", field.name), value or EMPTY))
            continue
        if not field.concrete:
            continue
        value = getattr(obj, field.name)
        if field.name == "criticality":
            shown = criticality_badge(value)
        elif field.name == "patient_safety":
            shown = yes_no(value)
        elif isinstance(field, models.JSONField):
            shown = json_list(field.name, value)
        elif field.is_relation and field.related_model is not None:
            if field.related_model._meta.label == "core.Secret":
                shown = format_html('<span class="badge bg-purple-lt">{}</span>',
                                    value) if value else EMPTY
            elif value is not None and field.related_model._meta.label == "core.User":
                shown = format_html("{}", value)
            else:
                shown = link(value, records_visible)
        elif field.choices:
            shown = plain(getattr(obj, f"get_{field.name}_display")())
        else:
            shown = plain(value)
        rows.append((getattr(field, "verbose_name", field.name), shown))
    return rows


HISTORY_HIDDEN = frozenset({"id", "updated_at", "created_at", "is_demo", "configitem_ptr",
                            "kind"})

# --- history ---------------------------------------------------------------------------------


def _field(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def readable_changes(model: type[models.Model], records: Iterable[Any],
                     ) -> list[tuple[Any, list[tuple[Any, Any, Any]]]]:
    """For each audit record: (record, [(field label, before, after), …]) with choice labels
    and the names of referenced records (one query per referenced model). Records of other
    objects (relations, documents of the item) come with no rows: their summary says it."""
    label = f"{model._meta.app_label}.{model._meta.model_name}"
    records = list(records)
    own = [rec for rec in records if rec.object_type == label]
    wanted: dict[type[models.Model], set[Any]] = {}
    for rec in own:
        for name, pair in (rec.changes or {}).items():
            field = _field(model, name)
            if field is not None and field.is_relation and field.related_model is not None:
                for value in pair:
                    for pk in (value if isinstance(value, list) else [value]):
                        if pk is not None and pk != audit.MASK:
                            wanted.setdefault(field.related_model, set()).add(pk)
    names: dict[type[models.Model], dict[Any, Any]] = {
        related: related._default_manager.in_bulk(sorted(pks, key=str))
        for related, pks in wanted.items()}

    def show(field: Any, value: Any) -> Any:
        if value is None or value == "" or value == []:
            return "—"
        if field is None:
            return audit_value(value)
        if field.is_relation and field.related_model is not None:
            found = names.get(field.related_model, {})
            values = value if isinstance(value, list) else [value]
            return ", ".join(str(found.get(v, f"#{v}")) for v in values)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, list) and field.name in ("disks", "monitoring_endpoints"):
            return "; ".join(" ".join(str(v) for v in entry.values()) for entry in value)
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return audit_value(value)

    out = []
    for rec in records:
        rows = []
        if rec.object_type == label:
            for name, pair in sorted((rec.changes or {}).items()):
                if name in HISTORY_HIDDEN:
                    continue
                before, after = [*pair, None, None][:2] if isinstance(pair, list) else (
                    None, pair)
                if before in (None, "", []) and after in (None, "", []):
                    continue  # a field left empty when the record was created
                field = _field(model, name)
                title = field.verbose_name if field is not None else name
                rows.append((title, show(field, before), show(field, after)))
        out.append((rec, rows))
    return out


def audit_value(value: Any) -> str:
    from careops.core.templatetags.audit_tags import audit_value as core_value

    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return core_value(value)
