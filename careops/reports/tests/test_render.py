"""The rendering helpers on their own (no ticket needed)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx import Document as read_docx
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from careops.reports.render import Document, KeyValues, Paragraph, Table, render
from careops.reports.render.docx import DocxBuilder
from careops.reports.render.pdf import css_string, page_content
from careops.reports.render.xlsx import XlsxBuilder
from careops.reports.templatetags.reports import recent_months


def test_it_quotes_css_strings_so_text_cannot_break_out() -> None:
    assert css_string('a"b\\c\nd') == '"a\\"b\\\\c d"'
    assert page_content("第 %(page)s 页 共 %(pages)s 页") == (
        '"第 " counter(page) " 页 共 " counter(pages) " 页"')
    assert page_content("Page %(page)s of %(pages)s") == (
        '"Page " counter(page) " of " counter(pages)')


@given(st.text(max_size=40))
def test_any_text_stays_one_css_string(text: str) -> None:
    quoted = css_string(text)
    inner = quoted[1:-1]
    # Every quote inside is escaped, so the string ends where it should.
    assert quoted.startswith('"') and quoted.endswith('"')
    unescaped = inner.replace("\\\\", "").replace('\\"', "")
    assert '"' not in unescaped and "\n" not in inner


def test_it_drops_characters_xml_cannot_hold() -> None:
    builder = DocxBuilder("标题\x00", "REF\x07")
    builder.paragraph("故障\x0b描述\x1f")
    builder.table(["列\x01"], [["值\x02"]])
    doc = read_docx(io.BytesIO(builder.to_bytes()))
    assert "故障描述" in [p.text for p in doc.paragraphs]


def test_it_keeps_numbers_as_numbers_and_everything_else_as_text() -> None:
    builder = XlsxBuilder()
    builder.table_sheet("清单", ["值"], [[42], [1.5], ["=1+1"], ["@SUM(A1)"], ["-2+3"],
                                       ["+cmd|x"], [None]])
    ws = load_workbook(io.BytesIO(builder.to_bytes()))["清单"]
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in cells[:2]] == [42, 1.5]
    assert [c.data_type for c in cells[:2]] == ["n", "n"]
    assert [(c.value, c.data_type) for c in cells[2:6]] == [
        ("=1+1", "s"), ("@SUM(A1)", "s"), ("-2+3", "s"), ("+cmd|x", "s")]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:A8"


def test_it_makes_sheet_titles_excel_accepts() -> None:
    builder = XlsxBuilder()
    for _ in range(3):
        builder.table_sheet("a/b:c*[d]?" + "x" * 40, ["h"], [])
    titles = load_workbook(io.BytesIO(builder.to_bytes())).sheetnames
    assert len(set(titles)) == 3 and all(len(t) <= 31 for t in titles)
    assert not any(ch in t for t in titles for ch in "/:*[]?")


def test_it_renders_one_document_in_every_format() -> None:
    document = Document(title="测试文档", reference="R-1", filename="doc", blocks=[
        KeyValues([("医院", "公立医院"), ("说明", "多行\n文本")], wide=frozenset({"说明"})),
        Paragraph("正文"), Table(["编号", "名称"], [["1", "甲"]], sheet="清单")])
    assert render(document, "docx").content[:2] == b"PK"
    xlsx = render(document, "xlsx")
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["测试文档", "清单"]
    pdf = render(document, "pdf")
    assert pdf.content.startswith(b"%PDF") and pdf.filename == "doc.pdf"
    assert zipfile.is_zipfile(io.BytesIO(render(document, "docx").content))


def test_it_offers_the_months_of_the_service_period() -> None:
    today = dt.date(2026, 3, 15)
    assert recent_months(today, dt.date(2026, 1, 1)) == ["2026-03", "2026-02", "2026-01"]
    assert recent_months(today, None, 4) == ["2026-03", "2026-02", "2026-01", "2025-12"]
    assert len(recent_months(today, dt.date(2020, 1, 1))) == 12
