"""Exporting the audit trail; the export itself is audited."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from careops.core import audit
from careops.core.choices import AuditAction, AuditResult
from careops.core.models import AuditRecord
from careops.core.roles import Cap, has_cap

# One sheet holds 1,048,576 rows, the header included.
MAX_EXPORT_ROWS = 1_048_575
CHUNK_SIZE = 2000
# (header, width)
COLUMNS = [
    ("ID", 10), ("Time", 20), ("User", 16), ("Source address", 16), ("Action", 14),
    ("Object type", 18), ("Object id", 10), ("Object", 28), ("Result", 10),
    ("Changes", 60), ("Detail", 40), ("Hash", 20),
]


def _text(ws: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    """A cell that is always text: a value like ``=HYPERLINK(...)`` (say, a user name
    typed at a failed login) must never become a formula in the auditor's Excel."""
    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def _headers() -> list[str]:
    labels = {
        "ID": _("ID"), "Time": _("Time"), "User": _("User"),
        "Source address": _("Source address"), "Action": _("Action"),
        "Object type": _("Object type"), "Object id": _("Object id"), "Object": _("Object"),
        "Result": _("Result"), "Changes": _("Changes"), "Detail": _("Detail"),
        "Hash": _("Hash"),
    }
    return [str(labels[name]) for name, _width in COLUMNS]


def write_xlsx(records: QuerySet[AuditRecord], out: IO[bytes]) -> int:
    """Write ``records`` (oldest first) to ``out`` as XLSX; return the row count."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_("Audit log")[:31])
    for index, (_name, width) in enumerate(COLUMNS):
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in _headers():
        cell = _text(ws, title)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    actions = dict(AuditAction.choices)
    results = dict(AuditResult.choices)
    count = 0
    for rec in records.order_by("id").iterator(chunk_size=CHUNK_SIZE):
        at = WriteOnlyCell(ws, value=timezone.localtime(rec.at).replace(tzinfo=None))
        at.number_format = "yyyy-mm-dd hh:mm:ss"
        ws.append([
            rec.pk, at, _text(ws, rec.actor_username), _text(ws, rec.source_ip or ""),
            _text(ws, str(actions.get(rec.action, rec.action))), _text(ws, rec.object_type),
            _text(ws, rec.object_id), _text(ws, rec.object_repr),
            _text(ws, str(results.get(rec.result, rec.result))),
            _text(ws, rec.changes_json), _text(ws, rec.detail_json), _text(ws, rec.hash),
        ])
        count += 1
    wb.save(out)
    return count


def export_records(actor: Any, records: QuerySet[AuditRecord], filters: Mapping[str, str],
                   request: HttpRequest | None = None) -> tuple[IO[bytes], int]:
    """The XLSX file of ``records`` (rewound) and its row count; audited as an export."""
    if not has_cap(actor, Cap.EXPORT_AUDIT):
        raise PermissionDenied(_("Only the auditors may export the audit log."))
    total = records.count()
    if total > MAX_EXPORT_ROWS:
        raise ValidationError(
            _("%(count)d records match: narrow the filters to at most %(max)d records per "
              "export.") % {"count": total, "max": MAX_EXPORT_ROWS})
    out = tempfile.TemporaryFile()  # the response closes it
    try:
        rows = write_xlsx(records, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    audit.record(AuditAction.EXPORT, actor=actor, request=request,
                 object_type="core.auditrecord", object_repr="audit log",
                 detail={"filters": dict(filters), "rows": rows, "format": "xlsx"})
    return out, rows
