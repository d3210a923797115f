"""Reading spreadsheets that people keep their inventories in, and normalising cells.

Pure Python (no Django). CSV files come in UTF-8 (with or without the BOM Excel adds)
or in GB18030, which Chinese Excel writes by default; XLSX files are read with
openpyxl in read-only mode. Row numbers are the ones the user sees in Excel: the
header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any


class TabularError(ValueError):
    """The file cannot be read at all (not a spreadsheet, wrong encoding …)."""


@dataclass
class Sheet:
    name: str
    header: list[str]
    # (row number as Excel shows it, cells as normalised text), blank rows left out.
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    # Row number of the header (1 unless blank rows precede it).
    header_row: int = 1


def decode_csv(data: bytes) -> str:
    """UTF-8 (BOM or not) when the bytes are valid UTF-8, else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise TabularError("the file is neither UTF-8 nor GB18030 text") from None


def cell_text(value: Any) -> str:
    """One cell as text: stripped; 8.0 → "8"; dates as YYYY-MM-DD; booleans as 1/0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return text.replace("\u3000", " ").strip()


def _sheet_from_rows(name: str, rows: Iterable[Sequence[Any]]) -> Sheet | None:
    sheet: Sheet | None = None
    for number, raw in enumerate(rows, start=1):
        cells = [cell_text(v) for v in raw]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if sheet is None:
            sheet = Sheet(name=name, header=cells, header_row=number)
        else:
            sheet.rows.append((number, cells))
    return sheet


def read_csv(data: bytes, name: str = "") -> Sheet | None:
    text = decode_csv(data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return _sheet_from_rows(name, csv.reader(io.StringIO(text, newline=""), dialect))


def read_xlsx(data: bytes) -> list[Sheet]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise TabularError(f"not a readable XLSX workbook ({exc.__class__.__name__})") from None
    try:
        sheets = []
        for ws in book.worksheets:
            sheet = _sheet_from_rows(str(ws.title), ws.iter_rows(values_only=True))
            if sheet is not None:
                sheets.append(sheet)
        return sheets
    finally:
        book.close()


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def read_file(data: bytes, filename: str = "") -> list[Sheet]:
    """Every non-empty sheet of an XLSX workbook, or the one sheet of a CSV file."""
    if is_xlsx(data):
        return read_xlsx(data)
    if filename.lower().endswith((".xls", ".et")) or data[:4] == b"\xd0\xcf\x11\xe0":
        raise TabularError("old .xls workbooks are not supported; save the file as .xlsx")
    sheet = read_csv(data, filename)
    return [sheet] if sheet is not None else []


# ---------------------------------------------------------------- header matching

def normalise_title(title: str) -> str:
    """Compare titles ignoring case, spaces, a trailing required-mark and brackets."""
    text = title.casefold().strip().rstrip("*＊").strip()
    text = re.sub(r"[\s_\-·/／]+", "", text)
    return text.replace("（", "(").replace("）", ")")


def match_header(header: Sequence[str],
                 titles: Mapping[str, Iterable[str]]) -> tuple[dict[int, str], list[str]]:
    """Map column positions to keys. ``titles``: key → accepted titles (the key itself
    included). Returns ({position: key}, [titles of unknown columns])."""
    lookup: dict[str, str] = {}
    for key, names in titles.items():
        lookup.setdefault(normalise_title(key), key)
        for name in names:
            lookup.setdefault(normalise_title(name), key)
    found: dict[int, str] = {}
    unknown: list[str] = []
    for position, title in enumerate(header):
        matched = lookup.get(normalise_title(title)) if title else None
        if matched is None:
            if title:
                unknown.append(title)
            continue
        if matched not in found.values():
            found[position] = matched
    return found, unknown


# ---------------------------------------------------------------- cell parsers

class CellError(ValueError):
    """A cell that cannot be parsed. ``code`` names the problem (callers translate it),
    ``value`` is the offending text, ``str()`` an English message."""

    def __init__(self, code: str, value: str, message: str, options: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.value = value
        self.options = options


_TRUE = {"1", "y", "yes", "true", "t", "是", "有", "√", "✓", "对"}
_FALSE = {"0", "n", "no", "false", "f", "否", "无", "×", "不是", "-"}
LIST_SEPARATORS = re.compile(r"[,;，；、\n]+")


def split_list(text: str) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]


def parse_bool(text: str) -> bool:
    value = text.strip().casefold()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise CellError("bool", text, f"{text!r} is not yes or no")


def parse_int(text: str) -> int:
    cleaned = text.replace(",", "").strip()
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise CellError("int", text, f"{text!r} is not a whole number") from None
    if number != number.to_integral_value():
        raise CellError("int", text, f"{text!r} is not a whole number")
    return int(number)


def parse_decimal(text: str) -> Decimal:
    cleaned = text.replace(",", "").replace("¥", "").replace("￥", "").strip()
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise CellError("decimal", text, f"{text!r} is not a number") from None
    if not number.is_finite():
        raise CellError("decimal", text, f"{text!r} is not a number")
    return number


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M",
                 "%Y-%m-%d %H:%M:%S")


def parse_date(text: str) -> dt.date:
    value = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    # Excel serial day numbers (a date cell read as a number).
    if value.isdigit() and 20000 < int(value) < 80000:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    raise CellError("date", text, f"{text!r} is not a date (use YYYY-MM-DD)")


_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_SIZE_FACTOR_MB = {"": None, "k": Decimal(1) / 1024, "m": Decimal(1), "g": Decimal(1024),
                   "t": Decimal(1024 * 1024)}


def parse_memory_mb(text: str) -> int:
    """"16G", "16 GB", "16GiB" → 16384; "512M" → 512; a bare number is MiB, as the
    column title says."""
    match = _SIZE.match(text.replace(",", ""))
    if match is None:
        raise CellError("memory", text,
                        f"{text!r} is not a memory size (e.g. 16G or 16384)")
    amount = Decimal(match.group(1))
    unit = match.group(2).lower()
    factor = _SIZE_FACTOR_MB[unit] or Decimal(1)
    megabytes = amount * factor
    return int(megabytes.to_integral_value())


def parse_addresses(text: str) -> list[str]:
    """IP addresses separated by commas, semicolons, 、 or new lines; each checked."""
    addresses = []
    for part in split_list(text.replace(" ", ",")):
        try:
            addresses.append(str(ipaddress.ip_address(part)))
        except ValueError:
            raise CellError("ip", part, f"{part!r} is not an IP address") from None
    return addresses


@dataclass(frozen=True)
class Choice:
    value: str
    labels: tuple[str, ...]  # the English and Chinese labels, and aliases


def match_choice(text: str, choices: Iterable[Choice]) -> str:
    """The choice value whose value or one of whose labels equals ``text`` (compared
    like titles). Raise CellError listing the values otherwise."""
    wanted = normalise_title(text)
    options = list(choices)
    for choice in options:
        if wanted == normalise_title(choice.value):
            return choice.value
    for choice in options:
        if any(wanted == normalise_title(label) for label in choice.labels):
            return choice.value
    values = ", ".join(c.value for c in options)
    raise CellError("choice", text, f"{text!r} is not one of: {values}", values)


# OS names as people write them → (family, version found in the text).
_OS_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), family) for p, family in (
        (r"windows\s*server|win\s*server|\bwin(?:dows)?\s*20(?:0[38]|1[26]|19|22|25)\b"
         r"|^ws\s*20", "windows_server"),
        (r"windows|\bwin\s*(?:7|8|10|11)\b", "windows"),
        (r"centos|red\s*hat|rhel|rocky|alma|oracle\s*linux|anolis|龙蜥", "rhel"),
        (r"kylin|麒麟", "kylin"),
        (r"\buos\b|统信|uniontech|deepin|深度", "uos"),
        (r"openeuler|欧拉|euler", "openeuler"),
        (r"ubuntu|debian", "ubuntu_debian"),
        (r"linux|suse|sles|fedora|alpine", "linux"),
    ))


def parse_os(text: str, choices: Iterable[Choice]) -> tuple[str, str]:
    """(os family value, version found in the text or "") from "CentOS 7.9",
    "Windows Server 2019", "银河麒麟 Kylin V10 SP2", "UOS 20" or a choice value/label."""
    try:
        return match_choice(text, choices), ""
    except CellError:
        pass
    for pattern, family in _OS_PATTERNS:
        found = pattern.search(text)
        if found is None:
            continue
        words = pattern.sub("", text[found.end():]).strip(" -_:：/()（）").split()
        # "Enterprise Linux 8.6" → "8.6": the version starts at the first word with a digit.
        while words and not any(ch.isdigit() for ch in words[0]):
            words.pop(0)
        version = " ".join(words)
        year = re.search(r"20[0-9]{2}", text[found.start():found.end()])
        if family == "windows_server" and year and year.group() not in version:
            version = f"{year.group()} {version}".strip()
        return family, version
    raise CellError("os", text, f"{text!r} is not a known operating system")
