"""XLSX workbooks: styled, frozen header rows, column widths, A4 print set-up, and no
cell that Excel could run as a formula.

Every text goes through core's audit-export cell (``careops.core.actions.audit._text``):
the cell is typed as a string, so ``=HYPERLINK(...)``, ``+cmd|...`` or ``@SUM(...)``
typed into a ticket stays text in the hospital's Excel; characters XML cannot hold are
dropped. Numbers stay numbers.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from careops.core.actions.audit import _text as core_text_cell
from careops.reports.render.model import (
    Document,
    Heading,
    KeyValues,
    Paragraph,
    Signatures,
    Table,
    Value,
)

HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="7F7F7F")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
FONT = "宋体"
HEADING_FONT = "黑体"
_BAD_TITLE = str.maketrans({c: " " for c in "[]:*?/\\"})


def text_cell(ws: WriteOnlyWorksheet, value: Value, **style: Any) -> WriteOnlyCell:
    """A cell for ``value``: numbers as numbers, everything else as neutralised text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell = WriteOnlyCell(ws, value=value)
    else:
        cell = core_text_cell(ws, "" if value is None else str(value))
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


class XlsxBuilder:
    """One workbook; ``table_sheet`` for a list with a frozen, styled header row,
    ``sheet`` + ``row``/``header`` for free layouts. Reusable by every module."""

    def __init__(self) -> None:
        self.book = Workbook(write_only=True)
        self._titles: set[str] = set()

    def sheet(self, title: str, widths: Sequence[float], *, landscape: bool = False,
              freeze: str | None = None, repeat_header: bool = False) -> WriteOnlyWorksheet:
        clean = (title.translate(_BAD_TITLE).strip() or "Sheet")[:31]
        name, number = clean, 2
        while name in self._titles:
            suffix = f" ({number})"
            name, number = clean[:31 - len(suffix)] + suffix, number + 1
        self._titles.add(name)
        ws = self.book.create_sheet(title=name)
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        if freeze:
            ws.freeze_panes = freeze
        ws.page_setup.paperSize = 9  # A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        if repeat_header:
            ws.print_title_rows = "1:1"
        return ws

    @staticmethod
    def header(ws: WriteOnlyWorksheet, headers: Sequence[str]) -> None:
        ws.append([text_cell(ws, h, font=Font(name=HEADING_FONT, bold=True), fill=HEADER_FILL,
                             border=BOX, alignment=WRAP) for h in headers])

    @staticmethod
    def row(ws: WriteOnlyWorksheet, values: Sequence[Value], *, bold: bool = False,
            boxed: bool = True, size: float | None = None) -> None:
        font = Font(name=HEADING_FONT if bold else FONT, bold=bold, size=size)
        ws.append([text_cell(ws, v, font=font, alignment=WRAP,
                             **({"border": BOX} if boxed else {})) for v in values])

    def table_sheet(self, title: str, headers: Sequence[str], rows: Sequence[Sequence[Value]],
                    widths: Sequence[float] = (), *, landscape: bool = False) -> None:
        """A sheet holding one list: header on row 1 (frozen, filtered, printed on every
        page), one row per record."""
        widths = list(widths) or [16.0] * len(headers)
        ws = self.sheet(title, widths, landscape=landscape, freeze="A2", repeat_header=True)
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(len(rows), 1) + 1}"
        self.header(ws, headers)
        for values in rows:
            self.row(ws, values)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


def _excel_widths(relative: Sequence[float], total: float) -> list[float]:
    whole = sum(relative) or 1
    return [max(6.0, round(total * w / whole, 1)) for w in relative]


def document_to_xlsx(document: Document) -> bytes:
    """The key-values, headings, paragraphs, untitled tables and signatures on the first
    sheet (label/value columns); every table with a ``sheet`` on its own sheet."""
    builder = XlsxBuilder()
    main = builder.sheet(document.main_sheet or document.title, [22, 60, 18, 18, 18, 18, 18])
    builder.row(main, [document.title], bold=True, boxed=False, size=14)
    for line in (document.subtitle, document.reference):
        if line:
            builder.row(main, [line], boxed=False)
    builder.row(main, [], boxed=False)
    extra: list[Table] = []
    for block in document.blocks:
        if isinstance(block, Heading):
            builder.row(main, [], boxed=False)
            builder.row(main, [block.text], bold=True, boxed=False, size=12)
        elif isinstance(block, Paragraph):
            builder.row(main, [block.text], boxed=False)
        elif isinstance(block, KeyValues):
            for label, value in block.rows:
                main.append([text_cell(main, label, font=Font(name=HEADING_FONT, bold=True),
                                       fill=LABEL_FILL, border=BOX, alignment=WRAP),
                             text_cell(main, value, font=Font(name=FONT), border=BOX,
                                       alignment=WRAP)])
        elif isinstance(block, Table) and block.sheet:
            extra.append(block)
        elif isinstance(block, Table):
            if block.title:
                builder.row(main, [block.title], bold=True, boxed=False)
            builder.header(main, block.headers)
            for values in block.rows:
                builder.row(main, values)
            if not block.rows and block.empty:
                builder.row(main, [block.empty], boxed=False)
        elif isinstance(block, Signatures):
            builder.row(main, [], boxed=False)
            if block.note:
                builder.row(main, [block.note], boxed=False)
            for label, lines in block.boxes:
                builder.row(main, [label], bold=True, boxed=False)
                for line in lines:
                    builder.row(main, ["", line], boxed=False)
                if block.seal:
                    builder.row(main, ["", block.seal], boxed=False)
    for table in extra:
        total = 160 if document.landscape else 110
        builder.table_sheet(table.sheet, table.headers, table.rows,
                            _excel_widths(table.widths or [1.0] * len(table.headers), total),
                            landscape=document.landscape)
    return builder.to_bytes()
