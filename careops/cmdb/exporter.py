"""XLSX/CSV templates and exports, in the layout the importer reads back.

Row 1 holds the column titles in the user's language (required ones marked with *),
row 2 (hidden) the machine keys, data starts on row 3. Choice columns get dropdowns
from a hidden ``_lists`` sheet. Exports use the list filters and the user's scope,
so an export → import in update mode changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _

from careops.cmdb import importer
from careops.cmdb.filtersets import FILTERSETS
from careops.cmdb.importer import SPECS, Column, Spec
from careops.cmdb.models import BusinessSystem, ConfigItem, Relation
from careops.core import access, audit
from careops.core.choices import AuditAction

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
_WIDE = {"notes", "addresses", "monitoring_endpoints", "disks", "departments", "maintainers",
         "endpoints", "endpoint", "name", "local_destination", "offsite_destination"}


def header_titles(spec: Spec) -> list[str]:
    return [spec.title(c) + (" *" if c.required else "") for c in spec.columns]


def _sheet_title(spec: Spec, used: set[str]) -> str:
    title = spec.verbose_name_plural
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    title = title[:31]
    if title in used or importer.spec_for_title(title) is not spec:
        title = spec.key
    used.add(title)
    return title


def workbook(sheets: Sequence[tuple[Spec, Iterable[Sequence[Any]]]], *,
             sample: bool = False) -> bytes:
    """An XLSX workbook with one sheet per spec."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.remove(book.active)
    lists = book.create_sheet("_lists")
    lists.sheet_state = "hidden"
    list_column = 0
    used: set[str] = set()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for spec, rows in sheets:
        ws = book.create_sheet(_sheet_title(spec, used))
        ws.append(header_titles(spec))
        ws.append([c.key for c in spec.columns])
        ws.row_dimensions[2].hidden = True
        for position, column in enumerate(spec.columns, start=1):
            cell = ws.cell(row=1, column=position)
            cell.font = bold
            cell.fill = fill
            hint = _column_hint(spec, column)
            if hint:
                cell.comment = Comment(hint, "CareOps")
            letter = get_column_letter(position)
            ws.column_dimensions[letter].width = 36 if column.key in _WIDE else 18
            if column.type in ("choice", "os"):
                list_column += 1
                labels = [str(label) for _value, label in
                          importer.model_field(spec.model, column.attr).choices or ()]
                list_letter = get_column_letter(list_column)
                for number, label in enumerate(labels, start=1):
                    lists.cell(row=number, column=list_column, value=label)
                validation = DataValidation(
                    type="list", allow_blank=not column.required,
                    formula1=f"'_lists'!${list_letter}$1:${list_letter}${len(labels)}",
                    showErrorMessage=column.type == "choice" and column.key != "criticality")
                # Any other text is still accepted by the importer (aliases, "CentOS 7" …).
                validation.errorStyle = "warning"
                ws.add_data_validation(validation)
                validation.add(f"{letter}3:{letter}20000")
        if sample:
            ws.append(importer.sample_row(spec))
        for row in rows:
            ws.append(list(row))
        ws.freeze_panes = "B3"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(spec.columns))}1"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _column_hint(spec: Spec, column: Column) -> str:
    hints = {
        "ref": _("Code of a %(cls)s (in the database or in this file).") % {
            "cls": SPECS[column.ref].model._meta.verbose_name} if column.ref in SPECS
        else _("Code of any configuration item."),
        "refs": _("Codes separated by commas."),
        "ips": _("IP addresses separated by commas, semicolons or new lines."),
        "list": _("Separate several values with commas."),
        "tags": _("Separate several tags with commas."),
        "bool": _("是/否, yes/no or 1/0."),
        "date": _("YYYY-MM-DD"),
        "memory": _("MiB, or with a unit: 16G, 512M."),
        "os": _("A value of the list, or as written, e.g. CentOS 7, Windows Server 2019, "
                "Kylin V10, UOS 20."),
        "endpoints": _("job=host:port separated by commas, e.g. node=10.1.2.3:9100."),
        "disks": _("mount=size in GB separated by commas, e.g. /=100, /data=500."),
        "user": _("User name of a CareOps account."),
    }
    return str(hints.get(column.type, ""))


def template_xlsx(key: str | None) -> bytes:
    """The template of one class, or (key None) the workbook of a whole hospital."""
    specs = [SPECS[key]] if key else list(SPECS.values())
    return workbook([(spec, []) for spec in specs], sample=True)


def template_csv(key: str) -> bytes:
    spec = SPECS[key]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header_titles(spec))
    writer.writerow(importer.sample_row(spec))
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


# ---------------------------------------------------------------- exports

def queryset(user: Any, spec: Spec, params: Mapping[str, Any] | None = None
             ) -> models.QuerySet[Any]:
    """The rows of ``spec`` that ``user`` sees, filtered like the list page."""
    model = spec.model
    qs: models.QuerySet[Any] = model._default_manager.all()
    visible = access.visible_system_ids(user)
    if issubclass(model, ConfigItem):
        qs = access.scope(user, qs)
    elif model is Relation:
        if visible is not None:
            items = access.scope(user, ConfigItem.objects.all()).values("pk")
            qs = qs.filter(source__in=items, target__in=items)
    elif visible is not None:
        raise PermissionDenied(_("Only hospital staff may export %(what)s.")
                               % {"what": spec.verbose_name_plural})
    filterset = FILTERSETS[model](params or {}, queryset=qs)
    qs = filterset.qs if filterset.is_valid() else qs.none()
    related = [c.attr for c in spec.columns if c.type in ("ref", "user")]
    if related:
        qs = qs.select_related(*related)
    if model is BusinessSystem:
        qs = qs.prefetch_related("departments", "maintainers")
    return qs.order_by(*(("source__code", "type", "target__code") if model is Relation
                         else ("pk",)))


def rows_of(spec: Spec, objects: Iterable[models.Model]) -> Iterable[list[Any]]:
    for obj in objects:
        m2m = {}
        if isinstance(obj, BusinessSystem):
            m2m = {"departments": sorted(d.code for d in obj.departments.all()),
                   "maintainers": sorted(v.code for v in obj.maintainers.all())}
        yield [importer.cell_value(spec, column, obj, m2m) for column in spec.columns]


def _filters(params: Mapping[str, Any]) -> dict[str, Any]:
    """The non-empty filters, for the audit record (several values kept as a list)."""
    lists = getattr(params, "lists", None)
    pairs = list(lists()) if lists is not None else [(k, [v]) for k, v in params.items()]
    return {k: (v[0] if len(v) == 1 else v) for k, v in pairs if any(x not in ("", None)
                                                                     for x in v)}


def export_xlsx(user: Any, key: str, params: Mapping[str, Any] | None = None, *,
                request: Any = None) -> tuple[bytes, int]:
    """The filtered list of ``key`` as XLSX; the export is audited."""
    spec = SPECS[key]
    objects = list(queryset(user, spec, params))
    data = workbook([(spec, rows_of(spec, objects))])
    filters = _filters(params or {})
    audit.record(AuditAction.EXPORT, actor=user, request=request,
                 object_type=f"{spec.model._meta.app_label}.{spec.model._meta.model_name}",
                 object_repr=spec.verbose_name_plural,
                 detail={"class": key, "filters": filters, "rows": len(objects),
                         "format": "xlsx"})
    return data, len(objects)
