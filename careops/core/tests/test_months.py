"""The one month parser (careops.logic.months, pure) and its Django wrapper
(careops.core.months): YYYY-MM from 2000-01 to 2100-12, anything else refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from careops.core.months import month_range
from careops.logic.months import FIRST_YEAR, LAST_YEAR, MonthError, parse_month


@given(st.integers(min_value=FIRST_YEAR, max_value=LAST_YEAR),
       st.integers(min_value=1, max_value=12))
def test_it_gives_the_first_day_of_the_month_and_of_the_next(year: int, month: int) -> None:
    first, following = parse_month(f"{year:04d}-{month:02d}")
    assert (first.year, first.month, first.day) == (year, month, 1)
    assert following.day == 1 and 28 <= (following - first).days <= 31


@pytest.mark.parametrize("text", ["0000-01", "9999-12", "1999-12", "2101-01", "2026-13",
                                  "2026-00", "2026-1", "２０２６-01", "2026-01 ", "", "March"])
def test_it_refuses_anything_but_a_month_in_range(text: str) -> None:
    with pytest.raises(MonthError):
        parse_month(text)


def test_it_answers_a_validation_error_naming_the_field(settings: object) -> None:
    start, end = month_range("2100-12")
    assert (start.year, start.month, end.year, end.month) == (2100, 12, 2101, 1)
    assert start.utcoffset() == dt.timedelta(hours=8)
    with pytest.raises(ValidationError) as info:
        month_range("9999-12", field="period")
    assert list(info.value.message_dict) == ["period"]
