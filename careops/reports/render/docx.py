"""DOCX documents that open correctly on a hospital PC (Word or WPS) and in LibreOffice.

Fonts: Chinese text gets the East Asian font attribute (``w:eastAsia``) on every style
and run, because Word picks the font of CJK characters from that attribute only, not
from ``w:ascii``. We name the fonts every Chinese Windows and WPS installation has —
宋体 (SimSun) for body text, 黑体 (SimHei) for headings and table headers, the usual
pairing of Chinese official documents — and Times New Roman / Arial for Latin text.
A Linux desktop without them substitutes Noto Serif/Sans CJK through fontconfig. The
language is marked zh-CN so that spelling and line breaking follow Chinese rules.

Layout: A4 portrait (or landscape), 25/20/25/20 mm margins, the title and reference
in the header, "page X of Y" fields in the footer, table header rows repeated on
every page, rows never split across pages.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.table import _Cell

from careops.reports.render.model import (
    Document,
    Heading,
    KeyValues,
    Paragraph,
    Signatures,
    Table,
    Value,
)

BODY_EAST_ASIA = "宋体"      # SimSun
HEADING_EAST_ASIA = "黑体"   # SimHei
BODY_LATIN = "Times New Roman"
HEADING_LATIN = "Arial"
HEADER_FILL = "D9E2F3"
LABEL_FILL = "F2F2F2"
# Characters XML 1.0 cannot hold (lxml refuses them): dropped from every text.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(value: Value) -> str:
    if value is None:
        return ""
    return _ILLEGAL.sub("", str(value))


def _set_fonts(rpr_owner: object, latin: str, east_asia: str) -> None:
    """Set ``w:rFonts`` (ascii, hAnsi, eastAsia; theme fonts removed) on a run or style."""
    rpr = rpr_owner.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)


def _shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _row_flag(row: object, name: str) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    flag = OxmlElement(name)
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def _field(paragraph: object, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice update when shown."""
    run = paragraph.add_run()  # type: ignore[attr-defined]
    for kind, text in (("begin", None), (None, instruction), ("separate", None),
                       (None, "1"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == instruction:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        else:
            shown = OxmlElement("w:t")
            shown.text = text
            run._r.append(shown)


def _new_row(table: Any) -> Any:
    return table.add_row()


class DocxBuilder:
    """Builds one DOCX: ``heading``, ``paragraph``, ``key_values``, ``table``,
    ``signatures``, then ``to_bytes``. Reusable by every module that writes documents."""

    def __init__(self, title: str, reference: str = "", *, landscape: bool = False,
                 page_label: str = "%(page)s / %(pages)s", footer: str = "") -> None:
        self.doc = new_document()
        self._setup_styles()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        width, height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
        section.page_width, section.page_height = width, height
        section.top_margin, section.bottom_margin = Mm(25), Mm(20)
        section.left_margin, section.right_margin = Mm(25), Mm(20)
        section.header_distance, section.footer_distance = Mm(12), Mm(10)
        self.text_width = width - Mm(45)
        self.doc.core_properties.title = clean(title)
        self.doc.core_properties.subject = clean(reference)
        self._header(title, reference)
        self._footer(page_label, footer)

    # --- set-up --------------------------------------------------------------------
    def _setup_styles(self) -> None:
        styles = self.doc.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
            if rpr is not None:
                lang = rpr.find(qn("w:lang"))
                if lang is None:
                    lang = OxmlElement("w:lang")
                    rpr.append(lang)
                lang.set(qn("w:val"), "en-US")
                lang.set(qn("w:eastAsia"), "zh-CN")
        normal = styles["Normal"]
        normal.font.size = Pt(10.5)   # 五号
        _set_fonts(normal.element, BODY_LATIN, BODY_EAST_ASIA)
        normal.paragraph_format.space_after = Pt(3)
        normal.paragraph_format.line_spacing = 1.15
        for name, size in (("Title", 18), ("Heading 1", 14), ("Heading 2", 12)):
            style = styles[name]
            style.font.size = Pt(size)
            style.font.bold = True
            style.font.italic = False
            style.font.color.rgb = RGBColor(0, 0, 0)
            _set_fonts(style.element, HEADING_LATIN, HEADING_EAST_ASIA)
            style.paragraph_format.space_before = Pt(12 if name != "Title" else 0)
            style.paragraph_format.space_after = Pt(6)
            style.paragraph_format.keep_with_next = True
        title = styles["Title"]
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        # The built-in Title has a bottom border and theme colour: plain is more formal.
        ppr = title.element.pPr
        if ppr is not None:
            for border in ppr.findall(qn("w:pBdr")):
                ppr.remove(border)

    def _header(self, title: str, reference: str) -> None:
        paragraph = self.doc.sections[0].header.paragraphs[0]
        stops = paragraph.paragraph_format.tab_stops
        # The Header style's centre and right stops are for a portrait Letter page.
        for position in (Mm(82.55), Mm(165.1)):
            stops.add_tab_stop(position, WD_TAB_ALIGNMENT.CLEAR)
        stops.add_tab_stop(self.text_width, WD_TAB_ALIGNMENT.RIGHT)
        self._run(paragraph, clean(title), size=9, color="595959")
        self._run(paragraph, "\t" + clean(reference), size=9, color="595959")
        self._bottom_border(paragraph)

    def _footer(self, page_label: str, footer: str) -> None:
        paragraph = self.doc.sections[0].footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if footer:
            self._run(paragraph, clean(footer) + "    ", size=9, color="595959")
        # "第 %(page)s 页 共 %(pages)s 页": the placeholders become PAGE / NUMPAGES fields.
        for part in re.split(r"(%\(page\)s|%\(pages\)s)", page_label):
            if part == "%(page)s":
                _field(paragraph, "PAGE")
            elif part == "%(pages)s":
                _field(paragraph, "NUMPAGES")
            elif part:
                self._run(paragraph, part, size=9, color="595959")

    @staticmethod
    def _bottom_border(paragraph: object) -> None:
        ppr = paragraph._p.get_or_add_pPr()  # type: ignore[attr-defined]
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "1"),
                           ("w:color", "808080")):
            bottom.set(qn(key), value)
        borders.append(bottom)
        ppr.append(borders)

    @staticmethod
    def _run(paragraph: object, text: str, *, bold: bool = False, size: float | None = None,
             color: str | None = None, heading_font: bool = False) -> None:
        lines = text.split("\n")
        for index, line in enumerate(lines):
            run = paragraph.add_run(line)  # type: ignore[attr-defined]
            if index < len(lines) - 1:
                run.add_break()
            run.bold = bold or None
            if size:
                run.font.size = Pt(size)
            if color:
                run.font.color.rgb = RGBColor.from_string(color)
            if heading_font:
                _set_fonts(run._r, HEADING_LATIN, HEADING_EAST_ASIA)
            else:
                _set_fonts(run._r, BODY_LATIN, BODY_EAST_ASIA)

    # --- content -------------------------------------------------------------------
    def title(self, text: str, subtitle: str = "") -> None:
        self.doc.add_paragraph(clean(text), style="Title")
        if subtitle:
            paragraph = self.doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self._run(paragraph, clean(subtitle), size=10, color="404040")

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(clean(text), level=min(max(level, 1), 2))

    def paragraph(self, text: str, *, muted: bool = False) -> None:
        paragraph = self.doc.add_paragraph()
        self._run(paragraph, clean(text), size=9 if muted else None,
                  color="595959" if muted else None)

    def _table(self, columns: int, widths: Sequence[float], *, compact: bool = False
               ) -> DocxTable:
        table: DocxTable = self.doc.add_table(rows=0, cols=columns)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        total = sum(widths) or 1
        width = self.text_width // 2 if compact else self.text_width
        self._widths = [Emu(int(width * w / total)) for w in widths]
        # LibreOffice and WPS lay a table out from its grid, Word from the cell widths.
        for column, grid in zip(table.columns, self._widths, strict=True):
            column.width = grid
        return table

    def _cell(self, cell: _Cell, value: Value, column: int, *, bold: bool = False,
              fill: str | None = None, size: float = 9.5, heading_font: bool = False) -> None:
        cell.width = self._widths[column]
        paragraph = cell.paragraphs[0]
        paragraph.paragraph_format.space_before = Pt(1.5)
        paragraph.paragraph_format.space_after = Pt(1.5)
        paragraph.paragraph_format.line_spacing = 1.0
        self._run(paragraph, clean(value), bold=bold, size=size, heading_font=heading_font)
        if fill:
            _shade(cell, fill)

    def key_values(self, rows: Sequence[tuple[str, Value]], pairs_per_row: int = 2,
                   wide: frozenset[str] = frozenset()) -> None:
        columns = pairs_per_row * 2
        table = self._table(columns, [1.0, 2.0] * pairs_per_row)
        pending: list[tuple[str, Value]] = []

        def flush() -> None:
            if not pending:
                return
            cells = _new_row(table).cells
            for index in range(pairs_per_row):
                label, value = pending[index] if index < len(pending) else ("", "")
                self._cell(cells[index * 2], label, index * 2, fill=LABEL_FILL,
                           heading_font=True)
                self._cell(cells[index * 2 + 1], value, index * 2 + 1)
            pending.clear()

        for label, value in rows:
            if label in wide:
                flush()
                cells = _new_row(table).cells
                self._cell(cells[0], label, 0, fill=LABEL_FILL, heading_font=True)
                merged = cells[1].merge(cells[columns - 1])
                merged.width = sum(self._widths[1:])
                paragraph = merged.paragraphs[0]
                paragraph.paragraph_format.space_after = Pt(0)
                self._run(paragraph, clean(value), size=9.5)
                continue
            pending.append((label, value))
            if len(pending) == pairs_per_row:
                flush()
        flush()
        for row in table.rows:
            _row_flag(row, "w:cantSplit")
        self.doc.add_paragraph()

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Value]],
              widths: Sequence[float] = (), empty: str = "", title: str = "",
              compact: bool = False) -> None:
        if title:
            self.heading(title, 2)
        widths = list(widths) or [1.0] * len(headers)
        table = self._table(len(headers), widths, compact=compact)
        if compact:
            table.alignment = WD_TABLE_ALIGNMENT.LEFT
        head = _new_row(table)
        _row_flag(head, "w:tblHeader")
        _row_flag(head, "w:cantSplit")
        for index, text in enumerate(headers):
            self._cell(head.cells[index], text, index, bold=True, fill=HEADER_FILL,
                       heading_font=True)
        for values in rows:
            row = _new_row(table)
            _row_flag(row, "w:cantSplit")
            for index, value in enumerate(values):
                self._cell(row.cells[index], value, index, size=9)
        if not rows and empty:
            row = _new_row(table)
            merged = row.cells[0].merge(row.cells[len(headers) - 1])
            self._run(merged.paragraphs[0], clean(empty), size=9, color="595959")
        self.doc.add_paragraph()

    def signatures(self, boxes: Sequence[tuple[str, Sequence[str]]], note: str = "",
                   seal: str = "") -> None:
        if note:
            self.paragraph(note, muted=True)
            self.doc.paragraphs[-1].paragraph_format.keep_with_next = True
        table = self._table(len(boxes), [1.0] * len(boxes))
        row = _new_row(table)
        _row_flag(row, "w:cantSplit")
        for index, (label, lines) in enumerate(boxes):
            cell = row.cells[index]
            cell.width = self._widths[index]
            first = cell.paragraphs[0]
            self._run(first, clean(label), bold=True, heading_font=True)
            for line in lines:
                paragraph = cell.add_paragraph()
                paragraph.paragraph_format.space_before = Pt(14)
                self._run(paragraph, clean(line))
            if seal:
                paragraph = cell.add_paragraph()
                paragraph.paragraph_format.space_before = Pt(30)
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                self._run(paragraph, clean(seal), color="595959")

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def document_to_docx(document: Document) -> bytes:
    builder = DocxBuilder(document.title, document.reference, landscape=document.landscape,
                          page_label=document.page_label, footer=document.footer)
    builder.title(document.title, document.subtitle)
    for block in document.blocks:
        if isinstance(block, Heading):
            builder.heading(block.text, block.level)
        elif isinstance(block, Paragraph):
            builder.paragraph(block.text, muted=block.muted)
        elif isinstance(block, KeyValues):
            builder.key_values(block.rows, block.pairs_per_row, block.wide)
        elif isinstance(block, Table):
            builder.table(block.headers, block.rows, block.widths, block.empty, block.title,
                          block.compact)
        elif isinstance(block, Signatures):
            builder.signatures(block.boxes, block.note, block.seal)
    return builder.to_bytes()
