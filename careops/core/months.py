"""Months given by people (``?month=YYYY-MM``, a path segment) as local instants, with
one error for every page and API: careops.logic.months parses, this names the field."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from careops.logic.months import FIRST_YEAR, LAST_YEAR, MonthError, parse_month


def month_error() -> str:
    return _("Give the month as YYYY-MM, from %(first)s-01 to %(last)s-12.") % {
        "first": FIRST_YEAR, "last": LAST_YEAR}


def month_range(text: str, field: str = "month") -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the month in local time (the current time zone, Asia/Shanghai by
    default); ValidationError naming ``field`` for anything but a month in range."""
    try:
        first, following = parse_month(text)
    except MonthError:
        raise ValidationError({field: [month_error()]}) from None
    zone = timezone.get_current_timezone()
    return (dt.datetime.combine(first, dt.time(), tzinfo=zone),
            dt.datetime.combine(following, dt.time(), tzinfo=zone))
