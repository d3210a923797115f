"""The pure working-time module: hand-checked 2026 cases and hypothesis properties.

The 2026 dates are those of the State Council notice 国办发明电〔2025〕7号
(cross-checked below against the chinesecalendar package):
元旦 1/1-1/3, work Sun 1/4; 春节 2/15-2/23, work Sat 2/14 and Sat 2/28;
清明 4/4-4/6; 劳动节 5/1-5/5, work Sat 5/9; 端午 6/19-6/21; 中秋 9/25-9/27;
国庆 10/1-10/7, work Sun 9/20 and Sat 10/10.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from careops.logic.holidays import (
    HolidayEntry,
    HolidayLineError,
    LayeredHolidays,
    PackageHolidays,
    TableHolidays,
    parse_holiday_lines,
)
from careops.logic.worktime import (
    Calendar,
    CalendarError,
    DateError,
    DayKind,
    Interval,
    IntervalError,
    NoWorkingTimeError,
    OverlapError,
    WeeklyHours,
)

pytestmark = pytest.mark.usefixtures("english")

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
H = dt.timedelta(hours=1)
PACKAGE = PackageHolidays()


def at(*args: int, tz: ZoneInfo = SH) -> dt.datetime:
    return dt.datetime(*args, tzinfo=tz)  # type: ignore[misc]


def workday(holidays: object = PACKAGE) -> Calendar:
    return Calendar(SH, WeeklyHours.on(range(5), ["08:00-18:00"]), observe_holidays=True,
                    holidays=holidays)  # type: ignore[arg-type]


def lunch() -> Calendar:
    return Calendar(SH, WeeklyHours.on(range(5), ["08:00-12:00", "14:00-18:00"]),
                    observe_holidays=True, holidays=PACKAGE)


def always() -> Calendar:
    return Calendar(SH, WeeklyHours.on(range(7), ["00:00-24:00"]))


CAL = workday()
LUNCH = lunch()

# --- the 2026 data ---------------------------------------------------------------

NOTICE_2026_HOLIDAYS = (
    [dt.date(2026, 1, d) for d in (1, 2, 3)]
    + [dt.date(2026, 2, d) for d in range(15, 24)]
    + [dt.date(2026, 4, d) for d in (4, 5, 6)]
    + [dt.date(2026, 5, d) for d in range(1, 6)]
    + [dt.date(2026, 6, d) for d in (19, 20, 21)]
    + [dt.date(2026, 9, d) for d in (25, 26, 27)]
    + [dt.date(2026, 10, d) for d in range(1, 8)]
)
NOTICE_2026_MAKEUP = [dt.date(2026, 1, 4), dt.date(2026, 2, 14), dt.date(2026, 2, 28),
                      dt.date(2026, 5, 9), dt.date(2026, 9, 20), dt.date(2026, 10, 10)]


def test_it_matches_the_state_council_2026_notice() -> None:
    entries = PACKAGE.entries(2026)
    assert [e.day for e in entries if e.kind is DayKind.HOLIDAY] == NOTICE_2026_HOLIDAYS
    assert [e.day for e in entries if e.kind is DayKind.MAKEUP] == NOTICE_2026_MAKEUP
    assert PACKAGE.day_name(dt.date(2026, 2, 14)) == "春节"
    assert PACKAGE.day_name(dt.date(2026, 9, 20)) == "国庆节"


def test_it_knows_2026_and_not_2027() -> None:
    assert PACKAGE.day_kind(dt.date(2026, 12, 31)) is DayKind.WORKDAY
    assert PACKAGE.day_kind(dt.date(2027, 1, 1)) is None


# --- hand-checked due times across every 2026 holiday (08:00-18:00, 10 h a day) ----

@pytest.mark.parametrize(("start", "hours", "due"), [
    # 元旦: Thu 1/1 - Sat 1/3 off, Sun 1/4 worked
    (at(2025, 12, 31, 17), 2, at(2026, 1, 4, 9)),
    (at(2026, 1, 2, 10), 1, at(2026, 1, 4, 9)),
    (at(2026, 1, 4, 17), 2, at(2026, 1, 5, 9)),
    # 春节: Sat 2/14 worked, Sun 2/15 - Mon 2/23 off, Sat 2/28 worked
    (at(2026, 2, 13, 17), 2, at(2026, 2, 14, 9)),
    (at(2026, 2, 14, 17), 1, at(2026, 2, 14, 18)),
    (at(2026, 2, 14, 17), 2, at(2026, 2, 24, 9)),
    (at(2026, 2, 18, 12), 1, at(2026, 2, 24, 9)),
    (at(2026, 2, 27, 17), 2, at(2026, 2, 28, 9)),
    (at(2026, 2, 28, 17), 2, at(2026, 3, 2, 9)),
    # 清明: Sat 4/4 - Mon 4/6 off
    (at(2026, 4, 3, 17), 2, at(2026, 4, 7, 9)),
    # 劳动节: Fri 5/1 - Tue 5/5 off, Sat 5/9 worked
    (at(2026, 4, 30, 17), 2, at(2026, 5, 6, 9)),
    (at(2026, 5, 8, 17), 2, at(2026, 5, 9, 9)),
    (at(2026, 5, 9, 17), 2, at(2026, 5, 11, 9)),
    # 端午: Fri 6/19 - Sun 6/21 off
    (at(2026, 6, 18, 17), 2, at(2026, 6, 22, 9)),
    # 中秋: Fri 9/25 - Sun 9/27 off; Sun 9/20 worked for 国庆
    (at(2026, 9, 18, 17), 2, at(2026, 9, 20, 9)),
    (at(2026, 9, 24, 17), 2, at(2026, 9, 28, 9)),
    # 国庆: Thu 10/1 - Wed 10/7 off, Sat 10/10 worked
    (at(2026, 9, 30, 17), 2, at(2026, 10, 8, 9)),
    (at(2026, 9, 30, 17), 30, at(2026, 10, 10, 17)),
    (at(2026, 10, 9, 17), 2, at(2026, 10, 10, 9)),
    (at(2026, 10, 10, 17), 1, at(2026, 10, 10, 18)),
    (at(2026, 10, 10, 17), 2, at(2026, 10, 12, 9)),
])
def test_it_adds_working_hours_across_2026_holidays(
        start: dt.datetime, hours: int, due: dt.datetime) -> None:
    result = CAL.add_working(start, hours * H)
    assert result.value == due
    assert not result.estimated
    assert CAL.elapsed(start, due).value == hours * H


@pytest.mark.parametrize(("day", "working"), [
    (at(2026, 1, 1, 10), False), (at(2026, 1, 4, 10), True), (at(2026, 2, 14, 10), True),
    (at(2026, 2, 16, 10), False), (at(2026, 2, 23, 10), False), (at(2026, 2, 24, 10), True),
    (at(2026, 2, 28, 10), True), (at(2026, 4, 6, 10), False), (at(2026, 5, 5, 10), False),
    (at(2026, 5, 9, 10), True), (at(2026, 6, 19, 10), False), (at(2026, 9, 20, 10), True),
    (at(2026, 9, 25, 10), False), (at(2026, 10, 7, 10), False), (at(2026, 10, 10, 10), True),
    (at(2026, 10, 11, 10), False), (at(2026, 10, 9, 18), False), (at(2026, 10, 9, 8), True),
    (at(2026, 10, 9, 7, 59), False),
])
def test_it_tells_working_time_on_2026_days(day: dt.datetime, working: bool) -> None:
    assert CAL.is_working(day).value is working


@pytest.mark.parametrize(("start", "days", "due"), [
    (at(2025, 12, 31, 10), 1, at(2026, 1, 4, 10)),
    (at(2026, 2, 13, 10), 2, at(2026, 2, 24, 10)),
    (at(2026, 2, 13, 10), 1, at(2026, 2, 14, 10)),
    (at(2026, 4, 3, 10), 1, at(2026, 4, 7, 10)),
    (at(2026, 5, 6, 10), 3, at(2026, 5, 9, 10)),
    (at(2026, 6, 18, 10), 1, at(2026, 6, 22, 10)),
    (at(2026, 9, 24, 10), 1, at(2026, 9, 28, 10)),
    (at(2026, 9, 30, 10), 3, at(2026, 10, 10, 10)),
    # a clock started in closed time starts at the next opening ...
    (at(2026, 10, 3, 10), 1, at(2026, 10, 8, 18)),
    # ... and an opening is the close of the previous working period
    (at(2026, 11, 23, 8), 1, at(2026, 11, 23, 18)),
    (at(2026, 11, 21, 12), 1, at(2026, 11, 23, 18)),
    (at(2026, 11, 20, 18), 2, at(2026, 11, 24, 18)),
    (at(2026, 11, 20, 17, 30), 0, at(2026, 11, 20, 17, 30)),
    (at(2026, 11, 21, 10), 0, at(2026, 11, 23, 8)),
])
def test_it_adds_working_days_with_the_same_clock(
        start: dt.datetime, days: int, due: dt.datetime) -> None:
    assert CAL.add_working_days(start, days).value == due


@pytest.mark.parametrize(("start", "days", "due"), [
    (at(2026, 11, 21, 10), 1, at(2026, 11, 23, 18)),   # Saturday + 1
    (at(2026, 11, 23, 9), 1, at(2026, 11, 24, 18)),    # Monday 09:00 + 1
    (at(2026, 11, 23, 7), 1, at(2026, 11, 23, 18)),    # Monday 07:00 anchors on Friday
    (at(2026, 11, 23, 9), 0, at(2026, 11, 23, 18)),
    (at(2026, 11, 21, 9), 0, at(2026, 11, 23, 18)),
    (at(2025, 12, 31, 10), 1, at(2026, 1, 4, 18)),
    (at(2026, 2, 13, 10), 2, at(2026, 2, 24, 18)),
    (at(2026, 4, 30, 10), 1, at(2026, 5, 6, 18)),
    (at(2026, 9, 30, 10), 1, at(2026, 10, 8, 18)),
    (at(2026, 10, 5, 10), 1, at(2026, 10, 8, 18)),     # anchors on 9/30
    (at(2026, 10, 9, 10), 1, at(2026, 10, 10, 18)),
])
def test_it_adds_working_days_to_the_end_of_the_day(
        start: dt.datetime, days: int, due: dt.datetime) -> None:
    assert CAL.add_working_days(start, days, end_of_day=True).value == due


def test_it_keeps_the_lunch_break_around_national_day() -> None:
    assert LUNCH.add_working(at(2026, 9, 30, 17), 2 * H).value == at(2026, 10, 8, 9)
    assert LUNCH.add_working(at(2026, 9, 30, 11), 3 * H).value == at(2026, 9, 30, 16)
    assert LUNCH.add_working(at(2026, 9, 30, 11), H).value == at(2026, 9, 30, 12)
    assert not LUNCH.is_working(at(2026, 9, 30, 12, 30)).value
    assert LUNCH.add_working(at(2026, 9, 30, 12, 30), H).value == at(2026, 9, 30, 15)
    # a day clock at 14:00 ends where the morning ended (the same working position)
    assert LUNCH.add_working_days(at(2026, 11, 23, 14), 1).value == at(2026, 11, 24, 12)
    assert LUNCH.elapsed(at(2026, 9, 30, 8), at(2026, 10, 8, 18)).value == 16 * H


def test_it_measures_elapsed_time_across_spring_festival() -> None:
    assert CAL.elapsed(at(2026, 2, 13, 8), at(2026, 2, 24, 8)).value == 20 * H
    assert CAL.elapsed(at(2026, 6, 18, 12), at(2026, 6, 22, 12)).value == 10 * H
    assert CAL.elapsed(at(2026, 2, 16), at(2026, 2, 16, 23)).value == dt.timedelta(0)


def test_it_skips_pauses() -> None:
    pause = (at(2026, 11, 20, 16), at(2026, 11, 23, 9))
    assert CAL.add_working(at(2026, 11, 20, 15), 2 * H, [pause]).value == at(2026, 11, 23, 10)
    assert CAL.elapsed(at(2026, 11, 20, 8), at(2026, 11, 23, 18), [pause]).value == 17 * H
    # overlapping pauses count once
    pauses = [(at(2026, 11, 23, 9), at(2026, 11, 23, 11)),
              (at(2026, 11, 23, 10), at(2026, 11, 23, 12))]
    assert CAL.add_working(at(2026, 11, 23, 8), 2 * H, pauses).value == at(2026, 11, 23, 13)
    # days: the paused working time is added after the plain due time
    day_pause = [(at(2026, 11, 24, 9), at(2026, 11, 24, 12))]
    assert CAL.add_working_days(at(2026, 11, 23, 17), 1, pauses=day_pause).value == \
        at(2026, 11, 25, 10)
    assert CAL.add_working_days(at(2026, 11, 23, 17), 1, end_of_day=True,
                                pauses=day_pause).value == at(2026, 11, 25, 18)


def test_it_refuses_a_pause_that_ends_before_it_starts() -> None:
    with pytest.raises(CalendarError, match="pause 1 ends before it starts"):
        CAL.add_working(at(2026, 11, 23, 8), H, [(at(2026, 11, 23, 9), at(2026, 11, 23, 8))])


# --- estimation -------------------------------------------------------------------

def test_it_flags_2027_as_estimated_without_data() -> None:
    result = CAL.add_working(at(2026, 12, 31, 17), 2 * H)
    assert result.value == at(2027, 1, 1, 9)  # a Friday, taken as a working day
    assert result.estimated_years == frozenset({2027})
    assert CAL.add_working(at(2026, 12, 31, 10), H).estimated_years == frozenset()
    assert CAL.is_working(at(2027, 3, 1, 10)).estimated_years == frozenset({2027})
    assert CAL.elapsed(at(2026, 12, 30), at(2027, 1, 5)).estimated_years == frozenset({2027})


def test_it_uses_a_table_year_and_stops_estimating() -> None:
    table = TableHolidays({2027: parse_holiday_lines("2027-01-01 holiday 元旦", 2027)})
    cal = workday(LayeredHolidays(table, PACKAGE))
    result = cal.add_working(at(2026, 12, 31, 17), 2 * H)
    assert result.value == at(2027, 1, 4, 9)
    assert not result.estimated


def test_it_lets_a_table_year_override_the_package() -> None:
    # a (fictional) correction: 10/8 off as well and no make-up Saturday
    table = TableHolidays({2026: [HolidayEntry(dt.date(2026, 10, d), DayKind.HOLIDAY)
                                  for d in range(1, 9)]})
    cal = workday(LayeredHolidays(table, PACKAGE))
    assert cal.add_working(at(2026, 9, 30, 17), 2 * H).value == at(2026, 10, 9, 9)
    assert not cal.is_working(at(2026, 10, 10, 10)).value
    # the table year replaces the package's whole year: 春节 is not in this table
    assert cal.is_working(at(2026, 2, 16, 10)).value


def test_it_never_estimates_a_7x24_calendar() -> None:
    result = always().add_working(at(2027, 5, 1), 30 * H)
    assert result.value == at(2027, 5, 2, 6)
    assert not result.estimated


# --- overrides, validation, guards -------------------------------------------------

def test_it_honours_extra_closed_and_open_dates() -> None:
    cal = Calendar(SH, WeeklyHours.on(range(5), ["08:00-18:00"]), observe_holidays=True,
                   holidays=PACKAGE,
                   overrides={dt.date(2026, 11, 23): [], "2026-11-22": ["09:00-12:00"]})
    assert cal.add_working(at(2026, 11, 20, 17), 2 * H).value == at(2026, 11, 22, 10)
    assert cal.add_working(at(2026, 11, 22, 11), 2 * H).value == at(2026, 11, 24, 9)


def test_it_names_the_weekday_and_both_intervals_on_overlap() -> None:
    with pytest.raises(OverlapError) as info:
        WeeklyHours({0: ["08:00-12:00", "11:00-14:00"]})
    assert str(info.value) == "Monday: 08:00-12:00 overlaps 11:00-14:00"
    assert info.value.label == "Monday"


def test_it_refuses_bad_intervals_and_dates() -> None:
    with pytest.raises(IntervalError, match="Tuesday"):
        WeeklyHours({1: ["18:00-08:00"]})
    with pytest.raises(IntervalError, match="25:00"):
        WeeklyHours({2: ["08:00-25:00"]})
    with pytest.raises(IntervalError, match="nine"):
        WeeklyHours({2: ["nine-five"]})
    with pytest.raises(DateError, match="2026-02-30"):
        Calendar(SH, WeeklyHours({}), overrides={"2026-02-30": []})
    with pytest.raises(OverlapError, match="2026-12-24"):
        Calendar(SH, WeeklyHours({}), overrides={"2026-12-24": ["08:00-10:00", "09:00-11:00"]})
    with pytest.raises(CalendarError, match="Mars/Olympus"):
        Calendar("Mars/Olympus", WeeklyHours({}))


def test_it_merges_touching_intervals_and_allows_24_00() -> None:
    week = WeeklyHours({0: ["12:00-18:00", "08:00-12:00"], 6: ["20:00-24:00"]})
    assert week.as_lists()[0] == ["08:00-18:00"]
    assert week[6] == (Interval(1200, 1440),)


def test_it_stops_when_there_is_no_working_time() -> None:
    with pytest.raises(NoWorkingTimeError):
        Calendar(SH, WeeklyHours({})).add_working(at(2026, 1, 1), H)
    with pytest.raises(NoWorkingTimeError):
        Calendar(SH, WeeklyHours({})).add_working_days(at(2026, 1, 1), 1)
    assert Calendar(SH, WeeklyHours({})).elapsed(at(2026, 1, 1), at(2026, 2, 1)).value == \
        dt.timedelta(0)


def test_it_reads_pasted_holiday_lines() -> None:
    entries = parse_holiday_lines("# 2027\n2027-02-06 班 春节\n\n2027-01-01 holiday 元旦\n", 2027)
    assert [(e.day.isoformat(), e.kind, e.name) for e in entries] == [
        ("2027-01-01", DayKind.HOLIDAY, "元旦"), ("2027-02-06", DayKind.MAKEUP, "春节")]
    for text, code in [("2027-02-30 holiday x", "date"), ("2027-01-01 party", "kind"),
                       ("2026-01-01 holiday", "year"), ("nonsense", "format"),
                       ("2027-01-01 holiday\n2027-01-01 holiday", "duplicate"),
                       ("2027-01-04 makeup", "weekday")]:
        with pytest.raises(HolidayLineError) as info:
            parse_holiday_lines(text, 2027)
        assert info.value.code == code


def test_it_refuses_naive_instants() -> None:
    with pytest.raises(CalendarError, match="UTC offset"):
        CAL.add_working(dt.datetime(2026, 1, 5, 9), H)


def test_it_counts_real_time_across_a_dst_change() -> None:
    cal = Calendar(NY, WeeklyHours.on(range(7), ["00:00-24:00"]))
    start = at(2026, 3, 8, 0, tz=NY)  # clocks jump from 02:00 to 03:00
    assert cal.add_working(start, 3 * H).value == at(2026, 3, 8, 4, tz=NY)
    assert cal.elapsed(start, at(2026, 3, 9, 0, tz=NY)).value == 23 * H


def test_it_accepts_any_offset_and_answers_in_the_calendar_zone() -> None:
    start = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)  # Friday 17:00 in Shanghai
    due = CAL.add_working(start, 2 * H).value
    assert due == at(2026, 11, 23, 9)
    assert due.utcoffset() == dt.timedelta(hours=8)


# --- properties -------------------------------------------------------------------

@st.composite
def day_hours(draw: st.DrawFn) -> list[str]:
    marks = draw(st.lists(st.integers(0, 48), unique=True, max_size=6).map(sorted))
    pairs = [(marks[i] * 30, marks[i + 1] * 30) for i in range(0, len(marks) - 1, 2)]
    return [f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in pairs]


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    week = WeeklyHours({d: draw(day_hours()) for d in range(7)})
    assume(not week.is_empty)
    tz = draw(st.sampled_from([SH, NY, ZoneInfo("UTC")]))
    observe = draw(st.booleans())
    closed = draw(st.lists(st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), max_size=4,
                           unique=True))
    return Calendar(tz, week, observe_holidays=observe, holidays=PACKAGE,
                    overrides={d: [] for d in closed})


# Real instants only: a local time inside a DST gap (02:30 on the spring-forward night in
# New York) names no instant, and arithmetic on it is not ordered.
instants = st.datetimes(dt.datetime(2025, 6, 1), dt.datetime(2027, 6, 1),
                        timezones=st.sampled_from([SH, dt.UTC, NY]), allow_imaginary=False)
amounts = st.integers(0, 6000).map(lambda m: dt.timedelta(minutes=m))


@st.composite
def pause_lists(draw: st.DrawFn) -> list[tuple[dt.datetime, dt.datetime]]:
    out = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(instants)
        # Elapsed time, not wall-clock arithmetic (which is off by an hour across DST).
        length = dt.timedelta(minutes=draw(st.integers(0, 5000)))
        out.append((start, (start.astimezone(dt.UTC) + length).astimezone(start.tzinfo)))
    return out


def ends_in_working_time(cal: Calendar, t: dt.datetime) -> bool:
    return cal.is_working(t).value or cal.is_working(t - dt.timedelta(microseconds=1)).value


PROPS = settings(max_examples=120, deadline=None)


@PROPS
@given(calendars(), instants, amounts, pause_lists())
def test_adding_then_measuring_gives_the_amount_back(cal, start, amount, pauses) -> None:  # type: ignore[no-untyped-def]
    due = cal.add_working(start, amount, pauses).value
    assert cal.elapsed(start, due, pauses).value == amount
    if amount:
        assert ends_in_working_time(cal, due)
        assert not any(s < due <= e for s, e in pauses)


@PROPS
@given(calendars(), instants, instants, amounts)
def test_adding_is_monotonic_in_the_start(cal, a, b, amount) -> None:  # type: ignore[no-untyped-def]
    a, b = sorted([a, b])
    assert cal.add_working(a, amount).value <= cal.add_working(b, amount).value


@PROPS
@given(calendars(), instants, amounts, amounts)
def test_adding_is_monotonic_in_the_amount(cal, start, x, y) -> None:  # type: ignore[no-untyped-def]
    x, y = sorted([x, y])
    assert cal.add_working(start, x).value <= cal.add_working(start, y).value


@PROPS
@given(calendars(), instants, amounts, pause_lists())
def test_pauses_only_push_a_due_time_later(cal, start, amount, pauses) -> None:  # type: ignore[no-untyped-def]
    assert cal.add_working(start, amount, pauses).value >= cal.add_working(start, amount).value


@PROPS
@given(calendars(), instants, instants, instants)
def test_elapsed_adds_up(cal, a, b, c) -> None:  # type: ignore[no-untyped-def]
    a, b, c = sorted([a, b, c])
    assert cal.elapsed(a, c).value == cal.elapsed(a, b).value + cal.elapsed(b, c).value


@PROPS
@given(calendars(), instants, instants, st.integers(0, 12), st.booleans())
def test_working_days_are_monotonic_in_the_start(cal, a, b, n, eod) -> None:  # type: ignore[no-untyped-def]
    a, b = sorted([a, b])
    first = cal.add_working_days(a, n, end_of_day=eod).value
    assert first <= cal.add_working_days(b, n, end_of_day=eod).value
    assert first >= a
    if n:
        assert ends_in_working_time(cal, first)


@PROPS
@given(calendars(), instants, st.integers(0, 12), st.integers(0, 12), st.booleans())
def test_working_days_are_monotonic_in_the_count(cal, start, m, n, eod) -> None:  # type: ignore[no-untyped-def]
    m, n = sorted([m, n])
    assert cal.add_working_days(start, m, end_of_day=eod).value <= \
        cal.add_working_days(start, n, end_of_day=eod).value


@PROPS
@given(calendars(), instants, st.integers(0, 12), st.booleans(), pause_lists())
def test_pauses_only_push_working_days_later(cal, start, n, eod, pauses) -> None:  # type: ignore[no-untyped-def]
    plain = cal.add_working_days(start, n, end_of_day=eod).value
    assert cal.add_working_days(start, n, end_of_day=eod, pauses=pauses).value >= plain


@PROPS
@given(instants, amounts)
def test_a_7x24_calendar_is_plain_time(start, amount) -> None:  # type: ignore[no-untyped-def]
    result = always().add_working(start, amount)
    assert result.value == start.astimezone(dt.UTC) + amount  # real time, not wall clock
    assert not result.estimated
