"""Chinese statutory holidays and make-up working days (调休), without Django.

Two sources answer :meth:`day_kind`: :class:`PackageHolidays` reads the
``chinesecalendar`` package for the years it knows; :class:`TableHolidays`
holds the years an administrator entered from the State Council notice
(国务院办公厅关于节假日安排的通知, published each November). A
:class:`LayeredHolidays` asks its sources in order, so a table year overrides
the package for that whole year. A year nobody knows answers None: the
calendar then estimates and says so.

:func:`parse_holiday_lines` reads the pasted form of a notice, one date a line::

    2027-01-01 holiday 元旦
    2027-02-06 makeup 春节
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import cast

from careops.logic.worktime import CalendarError, DayKind, HolidaySource

# Names the package uses, in the words of the State Council notice.
PACKAGE_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def _ordinary(day: dt.date) -> DayKind:
    return DayKind.WORKDAY if day.weekday() < 5 else DayKind.REST


@dataclass(frozen=True)
class HolidayEntry:
    day: dt.date
    kind: DayKind  # HOLIDAY or MAKEUP
    name: str = ""


class PackageHolidays:
    """The ``chinesecalendar`` package (import name ``chinese_calendar``)."""

    def __init__(self) -> None:
        from chinese_calendar import constants

        self._holidays = cast(Mapping[dt.date, str], constants.holidays)
        self._workdays = cast(Mapping[dt.date, str], constants.workdays)
        known = [d.year for d in self._holidays] + [d.year for d in self._workdays]
        self.first_year = min(known)
        self.last_year = max(known)

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    def day_kind(self, day: dt.date) -> DayKind | None:
        if day.year not in self.years:
            return None
        if day in self._holidays:
            return DayKind.HOLIDAY
        if day in self._workdays:
            return DayKind.MAKEUP
        return _ordinary(day)

    def day_name(self, day: dt.date) -> str:
        name = self._holidays.get(day) or self._workdays.get(day) or ""
        return PACKAGE_NAMES_ZH.get(str(name), str(name))

    def entries(self, year: int) -> list[HolidayEntry]:
        out = [HolidayEntry(d, DayKind.HOLIDAY, self.day_name(d))
               for d in self._holidays if d.year == year]
        out += [HolidayEntry(d, DayKind.MAKEUP, self.day_name(d))
                for d in self._workdays if d.year == year]
        return sorted(out, key=lambda e: e.day)


class TableHolidays:
    """Years entered by hand; the other dates of a table year are ordinary days."""

    def __init__(self, years: Mapping[int, Iterable[HolidayEntry]]) -> None:
        self._years = frozenset(years)
        self._entries: dict[dt.date, HolidayEntry] = {}
        for year, entries in years.items():
            for entry in entries:
                if entry.day.year != year:
                    raise CalendarError(f"{entry.day.isoformat()} is not in {year}")
                if entry.kind not in (DayKind.HOLIDAY, DayKind.MAKEUP):
                    raise CalendarError(f"{entry.day.isoformat()}: kind must be holiday or makeup")
                self._entries[entry.day] = entry

    @property
    def years(self) -> frozenset[int]:
        return self._years

    def day_kind(self, day: dt.date) -> DayKind | None:
        if day.year not in self._years:
            return None
        entry = self._entries.get(day)
        return entry.kind if entry else _ordinary(day)

    def day_name(self, day: dt.date) -> str:
        entry = self._entries.get(day)
        return entry.name if entry else ""


class LayeredHolidays:
    """Ask each source in turn; the first that knows the year answers."""

    def __init__(self, *sources: HolidaySource) -> None:
        self.sources = sources

    def day_kind(self, day: dt.date) -> DayKind | None:
        for source in self.sources:
            kind = source.day_kind(day)
            if kind is not None:
                return kind
        return None

    def day_name(self, day: dt.date) -> str:
        for source in self.sources:
            if source.day_kind(day) is not None:
                namer = getattr(source, "day_name", None)
                return str(namer(day)) if namer is not None else ""
        return ""

    def knows(self, year: int) -> bool:
        return self.day_kind(dt.date(year, 1, 1)) is not None


KIND_WORDS = {
    "holiday": DayKind.HOLIDAY, "休": DayKind.HOLIDAY, "假": DayKind.HOLIDAY,
    "makeup": DayKind.MAKEUP, "make-up": DayKind.MAKEUP, "workday": DayKind.MAKEUP,
    "班": DayKind.MAKEUP, "调休": DayKind.MAKEUP,
}
_LINE_RE = re.compile(r"^(\S+)\s+(\S+)(?:\s+(.*))?$")


class HolidayLineError(CalendarError):
    """A pasted line that cannot be used; ``line`` is 1-based."""

    def __init__(self, line: int, text: str, code: str, reason: str, value: str = "") -> None:
        self.line = line
        self.text = text
        self.code = code  # format, date, kind, year, duplicate, weekday
        self.value = value
        super().__init__(f"line {line}: {text!r}: {reason}")


def parse_holiday_lines(text: str, year: int | None = None) -> list[HolidayEntry]:
    """Read ``DATE KIND [NAME]`` lines (blank lines and ``#`` comments are skipped).

    KIND is ``holiday`` (also 休/假) or ``makeup`` (also workday/班/调休). Every
    date must exist, appear once and, when ``year`` is given, be in that year.
    """
    entries: list[HolidayEntry] = []
    seen: dict[dt.date, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE_RE.match(line)
        if not match:
            raise HolidayLineError(number, line, "format", "expected DATE KIND [NAME]")
        try:
            day = dt.date.fromisoformat(match[1])
        except ValueError:
            raise HolidayLineError(
                number, line, "date", f"{match[1]} is not a valid date", match[1]) from None
        kind = KIND_WORDS.get(match[2].lower())
        if kind is None:
            raise HolidayLineError(
                number, line, "kind", f"{match[2]} is not holiday or makeup", match[2])
        if year is not None and day.year != year:
            raise HolidayLineError(
                number, line, "year", f"{day.isoformat()} is not in {year}", day.isoformat())
        if day in seen:
            raise HolidayLineError(
                number, line, "duplicate", f"{day.isoformat()} is already on line {seen[day]}",
                day.isoformat())
        if kind is DayKind.MAKEUP and day.weekday() < 5:
            raise HolidayLineError(
                number, line, "weekday",
                f"{day.isoformat()} is a weekday, not a make-up weekend day", day.isoformat())
        seen[day] = number
        entries.append(HolidayEntry(day, kind, (match[3] or "").strip()))
    return sorted(entries, key=lambda e: e.day)


def format_holiday_lines(entries: Iterable[HolidayEntry]) -> str:
    return "\n".join(
        f"{e.day.isoformat()} {e.kind.value} {e.name}".rstrip() for e in entries)
