"""``{% monthly_records profile %}``: the card on a contract's page that downloads its
monthly list of maintenance records (docs/reports.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from careops.reports.render import FORMATS

register = template.Library()
MONTHS_SHOWN = 12


def recent_months(today: dt.date, first: dt.date | None, count: int = MONTHS_SHOWN
                  ) -> list[str]:
    """``YYYY-MM`` of this month and the ones before, newest first, not before ``first``."""
    months: list[str] = []
    year, month = today.year, today.month
    while len(months) < count:
        if first is not None and (year, month) < (first.year, first.month):
            break
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


@register.inclusion_tag("reports/_monthly_records.html")
def monthly_records(profile: Any, summary: dict[str, Any] | None = None) -> dict[str, Any]:
    first = None
    period = (summary or {}).get("period") or ()
    if period:
        try:
            first = dt.date.fromisoformat(str(period[0]))
        except ValueError:
            first = None
    today = timezone.localdate()
    if first is not None and first > today:
        first = None
    return {"profile": profile, "months": recent_months(today, first),
            "formats": list(FORMATS)}
