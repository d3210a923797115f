"""The one parser of months (``YYYY-MM``) for every page, API and document: the survey
results, the monthly record list, the obligation tracker. Pure (no Django).

Years outside FIRST_YEAR–LAST_YEAR are refused: no service record predates 2000, and
the bounds keep every month's end (the first day of the next month) a valid date.
"""

from __future__ import annotations

import datetime as dt
import re

FIRST_YEAR, LAST_YEAR = 2000, 2100
MONTH_RE = re.compile(r"(\d{4})-(0[1-9]|1[0-2])", re.ASCII)


class MonthError(ValueError):
    """Not a month ``YYYY-MM`` from FIRST_YEAR-01 to LAST_YEAR-12."""


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    """``YYYY-MM`` → (its first day, the first day of the next month)."""
    match = MONTH_RE.fullmatch(text or "")
    if not match:
        raise MonthError(text)
    year, month = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise MonthError(text)
    first = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, following
