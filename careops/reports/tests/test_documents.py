"""The maintenance record of a ticket and the monthly list of a contract, read back from
each format: DOCX with python-docx, XLSX with openpyxl, PDF with poppler's pdftotext and
pdffonts (Debian poppler-utils, installed by scripts/setup.sh test)."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document as read_docx
from docx.oxml.ns import qn
from openpyxl import load_workbook

from careops.contracts.models import ContractProfile
from careops.reports import actions
from careops.reports.documents.contract_month import parse_month, tickets_of
from careops.reports.tests.conftest import CST, INJECTION, NOW
from careops.servicedesk import actions as desk_actions
from careops.servicedesk.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
INTERNAL_NOTE = "内部：怀疑编码器固件问题"


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path:
        return path
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{tool} (poppler-utils) is required in CI")
    pytest.skip(f"{tool} is not installed (scripts/setup.sh test installs poppler-utils)")


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run([need("pdftotext"), "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def pdf_fonts(content: bytes, tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    out = subprocess.run([need("pdffonts"), str(path)], check=True, capture_output=True,
                         text=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def docx_text(content: bytes) -> str:
    doc = read_docx(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def xlsx_cells(content: bytes) -> dict[str, list[Any]]:
    book = load_workbook(io.BytesIO(content))
    return {ws.title: [cell for row in ws.iter_rows() for cell in row] for ws in book}


# --- the ticket record -----------------------------------------------------------------

def test_it_writes_the_ticket_record_as_docx_with_chinese_fonts(worked: Ticket,
                                                                alice: Any) -> None:
    rendered = actions.export_ticket_record(alice, worked, "docx", now=NOW)
    assert rendered.filename.endswith(".docx")
    text = docx_text(rendered.content)
    assert worked.number in text
    assert "手术室3视频无画面" in text and "公立医院" in text and "博学医教科技有限公司" in text
    assert "seed-004-edu" in text and "v1" in text
    assert "已重启终端无效" in text                        # the description, both lines
    assert "已到场，更换编码器电源" in text               # a public comment
    assert "现场照片.jpg" in text
    assert worked.attachments.get(public=True).sha256 in text
    assert "电源模块老化" in text                          # the fault analysis report
    assert "响应及时" in text                              # the survey
    # Internal notes and files are never in the hospital's record.
    assert INTERNAL_NOTE not in text and "internal-debug.log" not in text

    doc = read_docx(io.BytesIO(rendered.content))
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体"
    heading = doc.styles["Heading 1"].element.rPr.find(qn("w:rFonts"))
    assert heading.get(qn("w:eastAsia")) == "黑体"
    assert heading.get(qn("w:asciiTheme")) is None      # a theme font would override it
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    xml = zipfile.ZipFile(io.BytesIO(rendered.content))
    footer = "".join(xml.read(n).decode() for n in xml.namelist() if "footer" in n)
    assert "PAGE" in footer and "NUMPAGES" in footer
    body = xml.read("word/document.xml").decode()
    assert "<w:tblHeader" in body                        # header rows repeat on every page
    assert 'w:eastAsia="宋体"' in body                    # on the runs too


def test_it_shows_the_survey_only_to_who_may_see_survey_results(
        worked: Ticket, alice: Any, bob: Any, charlie: Any, auditor: Any) -> None:
    for user, shown in ((alice, True), (auditor, True), (bob, False), (charlie, False)):
        text = docx_text(actions.export_ticket_record(user, worked, "docx", now=NOW).content)
        assert ("响应及时" in text) is shown, user.username
        assert ("Satisfaction survey" in text) is shown, user.username


def test_it_writes_the_ticket_record_as_pdf_with_embedded_cjk_fonts(
        worked: Ticket, alice: Any, tmp_path: Path) -> None:
    rendered = actions.export_ticket_record(alice, worked, "pdf", now=NOW)
    assert rendered.content.startswith(b"%PDF")
    text = pdf_text(rendered.content, tmp_path)
    assert worked.number in text
    assert "手术室3视频无画面" in text and "编码器电源模块更换完成" in text
    assert INTERNAL_NOTE not in text and "internal-debug.log" not in text
    fonts = pdf_fonts(rendered.content, tmp_path)
    assert fonts and all("CJK" in row[0] for row in fonts), fonts
    assert all(row[-5] == "yes" for row in fonts)       # the "emb" column: embedded
    assert "2026-11-10 10:00" in text                   # shown in Asia/Shanghai


def test_it_writes_the_ticket_record_as_xlsx(worked: Ticket, alice: Any) -> None:
    rendered = actions.export_ticket_record(alice, worked, "xlsx", now=NOW)
    book = load_workbook(io.BytesIO(rendered.content))
    sheets = xlsx_cells(rendered.content)
    values = {str(c.value) for cells in sheets.values() for c in cells if c.value is not None}
    assert worked.number in values and "手术室3视频无画面" in values
    assert not any(INTERNAL_NOTE in v for v in values)
    assert len(book.sheetnames) >= 4                      # record, SLA, timeline, attachments
    timeline = book.worksheets[2]
    assert timeline.freeze_panes == "A2"
    assert timeline["A1"].font.bold
    assert timeline.column_dimensions["D"].width > timeline.column_dimensions["A"].width


def test_it_shows_every_sla_target_with_due_and_state(worked: Ticket, alice: Any) -> None:
    text = docx_text(actions.export_ticket_record(alice, worked, "docx", now=NOW).content)
    # Seed 004, P1: respond 15 min, on site 1 h, restore 2 h; the report 3 working days
    # after the restore (the contract sets no resolve target for P1).
    for due in ("2026-11-10 10:15", "2026-11-10 11:00", "2026-11-10 12:00",
                "2026-11-13 11:30"):
        assert due in text


def test_it_says_so_when_no_contract_covers_the_ticket(desk: dict[str, Any], alice: Any,
                                                       seed_004: Any) -> None:
    seed_004()
    ticket = desk_actions.open_ticket(alice, "incident", "打印机卡纸", "", [desk["printer"]],
                                      now=dt.datetime(2026, 11, 2, 9, 0, tzinfo=CST))
    text = docx_text(actions.export_ticket_record(alice, ticket, "docx", now=NOW).content)
    assert ticket.number in text and "no SLA" in text


# --- the monthly list ------------------------------------------------------------------

def test_it_lists_the_tickets_opened_or_closed_in_the_month(
        month_tickets: list[Ticket], alice: Any) -> None:
    worked, late, october = month_tickets
    profile = ContractProfile.objects.get()
    start, end = parse_month("2026-11")
    assert set(tickets_of(profile, start, end)) == {worked, late}
    # Opened in October, closed in November: in both months.
    Ticket.objects.filter(pk=october.pk).update(
        closed_at=dt.datetime(2026, 11, 1, 0, 30, tzinfo=CST))   # 31 Oct 16:30 UTC
    assert october in set(tickets_of(profile, start, end))
    assert october in set(tickets_of(profile, *parse_month("2026-10")))
    assert worked not in set(tickets_of(profile, *parse_month("2026-10")))


def test_it_writes_the_monthly_list_in_every_format(
        month_tickets: list[Ticket], alice: Any, tmp_path: Path) -> None:
    worked, late, october = month_tickets
    profile = ContractProfile.objects.get()
    docx = actions.export_contract_month(alice, profile, "2026-11", "docx", now=NOW)
    text = docx_text(docx.content)
    assert worked.number in text and late.number in text and october.number not in text
    assert "手术视频与考试系统运维服务" in text
    # worked: respond, on site, restore and report met; late: respond and resolve breached.
    assert "66.7%" in text
    xlsx = actions.export_contract_month(alice, profile, "2026-11", "xlsx", now=NOW)
    book = load_workbook(io.BytesIO(xlsx.content))
    tickets = book["Tickets"]
    assert tickets.freeze_panes == "A2"
    assert [c.value for c in tickets[1]][:2] == ["Number", "Kind"]
    numbers = [row[0].value for row in tickets.iter_rows(min_row=2)]
    assert numbers == [worked.number, late.number]
    pdf = actions.export_contract_month(alice, profile, "2026-11", "pdf", now=NOW)
    text = pdf_text(pdf.content, tmp_path)
    assert worked.number in text and "手术视频" in text


def test_it_neutralises_cells_that_look_like_formulas(month_tickets: list[Ticket],
                                                      alice: Any) -> None:
    late = month_tickets[1]
    for rendered in (
            actions.export_contract_month(alice, ContractProfile.objects.get(), "2026-11",
                                          "xlsx", now=NOW),
            actions.export_ticket_record(alice, late, "xlsx", now=NOW)):
        cells = [c for cells in xlsx_cells(rendered.content).values() for c in cells]
        risky = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
        assert any(c.value == INJECTION for c in risky)
        assert all(c.data_type == "s" for c in risky), [(c.coordinate, c.value) for c in risky]
        raw = zipfile.ZipFile(io.BytesIO(rendered.content))
        sheets = "".join(raw.read(n).decode() for n in raw.namelist()
                         if n.startswith("xl/worksheets/"))
        assert "<f>" not in sheets                        # no formula anywhere


def test_it_refuses_a_bad_month_or_format(month_tickets: list[Ticket], alice: Any) -> None:
    from django.core.exceptions import ValidationError

    profile = ContractProfile.objects.get()
    for month in ("2026-13", "2026-1", "november", ""):
        with pytest.raises(ValidationError) as info:
            actions.export_contract_month(alice, profile, month, "pdf", now=NOW)
        assert "month" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        actions.export_ticket_record(alice, month_tickets[0], "doc", now=NOW)
    assert "format" in info.value.message_dict


def test_it_counts_clocks_in_the_monthly_list_as_the_contract_page_does(
        month_tickets: list[Ticket], desk: dict[str, Any], alice: Any, bob: Any) -> None:
    from careops.reports.documents import contract_month
    from careops.reports.render import Table
    from careops.servicedesk.compliance import compliance

    # A P1 fixed remotely (no visit needed) and not resolved yet: its on-site clock is
    # waived and its report clock has not started; neither is "still running".
    remote = desk_actions.open_ticket(alice, "incident", "视频延迟", "", [desk["video"]],
                                      now=dt.datetime(2026, 11, 25, 9, 0, tzinfo=CST))
    desk_actions.transition(bob, remote, "acknowledged",
                            now=dt.datetime(2026, 11, 25, 9, 5, tzinfo=CST))
    desk_actions.waive_target(alice, remote, "on_site", "远程处理",
                              now=dt.datetime(2026, 11, 25, 9, 6, tzinfo=CST))
    profile = ContractProfile.objects.get()
    tickets = list(tickets_of(profile, *parse_month("2026-11")))
    document = contract_month.build(profile, "2026-11", tickets, actor_name="alice", now=NOW)
    table = next(b for b in document.blocks if isinstance(b, Table) and b.title == "SLA targets")
    month = {str(row[0]): tuple(row[1:4]) for row in table.rows}
    assert month["On site"] == (1, 0, 0)          # worked met it; remote's is waived
    assert month["Report"] == (1, 0, 0)           # remote's has not started
    assert month["Restore"] == (1, 1, 0)
    # The contract page's figures (every month) agree for the targets only November has.
    rows = {(r.target, r.priority): r for r in compliance(profile, NOW)}
    assert (rows[("on_site", "P1")].on_time, rows[("on_site", "P1")].running) == (1, 0)
    assert rows[("report", "P1")].running == 0


def test_it_builds_the_monthly_list_in_a_constant_number_of_queries(
        month_tickets: list[Ticket], desk: dict[str, Any], alice: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from careops.reports.documents import contract_month

    profile = ContractProfile.objects.get()

    def queries() -> int:
        tickets = list(tickets_of(profile, *parse_month("2026-11")))
        with CaptureQueriesContext(connection) as captured:
            contract_month.build(profile, "2026-11", tickets, actor_name="alice", now=NOW)
        return len(captured)

    queries()                                     # the process's calendar cache, warm
    few = queries()
    for day in range(1, 21):
        desk_actions.open_ticket(alice, "incident", "考试系统登录慢", "", [desk["exam"]],
                                 now=dt.datetime(2026, 11, day, 9, 0, tzinfo=CST))
    assert queries() == few
