"""The pure spreadsheet helpers: encodings, cells, titles, OS names, sizes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careops.logic import tabular

OS = [tabular.Choice("rhel", ("CentOS / RHEL / Rocky",)), tabular.Choice("kylin", ("Kylin 麒麟",))]


@pytest.mark.parametrize(("text", "expected"), [
    ("CentOS 7", ("rhel", "7")),
    ("Red Hat Enterprise Linux 8.6", ("rhel", "8.6")),
    ("Windows Server 2019", ("windows_server", "2019")),
    ("Win2012 R2", ("windows_server", "2012 R2")),
    ("Windows Server 2019 Datacenter", ("windows_server", "2019 Datacenter")),
    ("银河麒麟 Kylin V10 SP2", ("kylin", "V10 SP2")),
    ("麒麟", ("kylin", "")),
    ("统信 UOS 20", ("uos", "20")),
    ("openEuler 22.03 LTS", ("openeuler", "22.03 LTS")),
    ("Ubuntu 22.04", ("ubuntu_debian", "22.04")),
    ("CentOS / RHEL / Rocky", ("rhel", "")),
    ("rhel", ("rhel", "")),
])
def test_it_reads_os_names_as_people_write_them(text: str, expected: tuple[str, str]) -> None:
    assert tabular.parse_os(text, OS) == expected


def test_it_refuses_an_unknown_os() -> None:
    with pytest.raises(tabular.CellError) as exc:
        tabular.parse_os("Solaris 10", OS)
    assert exc.value.code == "os" and exc.value.value == "Solaris 10"


@pytest.mark.parametrize(("text", "mib"), [("16G", 16384), ("16 GB", 16384), ("16GiB", 16384),
                                           ("512M", 512), ("8192", 8192), ("0.5T", 524288)])
def test_it_reads_memory_sizes(text: str, mib: int) -> None:
    assert tabular.parse_memory_mb(text) == mib


def test_it_detects_utf8_bom_and_gb18030() -> None:
    text = "编码,名称\nHIS,医院信息系统\n"
    for data in (text.encode("utf-8"), "\ufeff".encode() + text.encode(),
                 text.encode("gb18030")):
        sheet = tabular.read_csv(data)
        assert sheet is not None
        assert sheet.header == ["编码", "名称"] and sheet.rows == [(2, ["HIS", "医院信息系统"])]


def test_it_numbers_rows_as_excel_does_skipping_blank_ones() -> None:
    sheet = tabular.read_csv(b"\ncode;name\nA;a\n;\nB;b\n")
    assert sheet is not None and sheet.header_row == 2
    assert [number for number, _cells in sheet.rows] == [3, 5]


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_whole_floats_read_as_integers(number: int) -> None:
    assert tabular.cell_text(float(number)) == str(number)


def test_it_normalises_cells() -> None:
    assert tabular.cell_text("  a\u3000") == "a"
    assert tabular.cell_text(dt.datetime(2019, 6, 1)) == "2019-06-01"
    assert tabular.cell_text(12.5) == "12.5"
    assert tabular.parse_date("2019年6月1日") == dt.date(2019, 6, 1)
    assert tabular.parse_date("43617") == dt.date(2019, 6, 1)
    assert tabular.split_list("a；b、c\nd, e") == ["a", "b", "c", "d", "e"]
    assert tabular.parse_addresses("10.0.0.1;10.0.0.2") == ["10.0.0.1", "10.0.0.2"]
    with pytest.raises(tabular.CellError):
        tabular.parse_addresses("10.0.0.256")


def test_it_matches_headers_ignoring_case_spaces_and_required_marks() -> None:
    positions, unknown = tabular.match_header(
        ["Host Name *", "IP地址", "whatever", "host_name"],
        {"hostname": ["host name"], "addresses": ["IP地址"]})
    assert positions == {0: "hostname", 1: "addresses"} and unknown == ["whatever"]
