"""The obligation schedule (careops/logic/obligations.py): periods, deadlines, report
deadlines and states, checked by hand against the five seed contracts and the 2026
holiday notice, and by properties; plus `careops obligations`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careops.logic.contract import Contract, Duration, Obligation, Period, parse_contract
from careops.logic.holidays import PackageHolidays
from careops.logic.obligations import (
    Due,
    ObligationError,
    deadline,
    is_overdue,
    overdue_notices,
    report_due_after,
    schedule,
    status,
    working_days_left,
)
from careops.logic.worktime import Calendar, WeeklyHours

EXAMPLES = Path(__file__).resolve().parents[3] / "contracts" / "examples"
SH = ZoneInfo("Asia/Shanghai")
CAL = Calendar(SH, WeeklyHours.on(range(5), ["08:00-18:00"]), observe_holidays=True,
               holidays=PackageHolidays())
LUNCH = Calendar(SH, WeeklyHours.on(range(5), ["08:00-12:00", "14:00-17:30"]),
                 observe_holidays=True, holidays=PackageHolidays())


def load(prefix: str) -> Contract:
    (path,) = EXAMPLES.glob(f"{prefix}-*.yaml")
    return parse_contract(path.read_text(encoding="utf-8"))


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)  # type: ignore[arg-type,misc]


def of(dues: list[Due], code: str) -> list[Due]:
    return [d for d in dues if d.obligation_code == code]


def obligation(contract: Contract, code: str) -> Obligation:
    return next(o for o in contract.obligations if o.code == code)


SEED_000, SEED_001, SEED_002 = load("seed-000"), load("seed-001"), load("seed-002")
SEED_003, SEED_004 = load("seed-003"), load("seed-004")


# --- seed 000: quarterly inspection over two years ------------------------------------
def test_it_schedules_seed_000_quarterly_inspection_over_two_years() -> None:
    dues = of(schedule(SEED_000, CAL), "quarterly-inspection")
    assert [(d.period_start, d.period_end) for d in dues][:2] == [
        (dt.date(2025, 1, 1), dt.date(2025, 3, 31)), (dt.date(2025, 4, 1), dt.date(2025, 6, 30))]
    assert len(dues) == 8 and not any(d.partial for d in dues)
    # Q1 2025 ends on Monday 31 March; Q4 2026 on Thursday 31 December
    assert dues[0].due_at == at(2025, 3, 31, 18)
    assert dues[-1].due_at == at(2026, 12, 31, 18)
    assert all(d.report_due_at is None for d in dues)  # a report, but no deadline for it
    assert dues[0].owner == "vendor" and dues[0].report == "巡检报告"


# --- seed 001: monthly service review on make-up days and weekends ------------------------
def test_it_puts_seed_001_monthly_review_on_the_last_working_day_of_each_month() -> None:
    dues = of(schedule(SEED_001, CAL), "monthly-service-review")
    assert len(dues) == 12
    by_month = {d.period_start.month: d.due_at for d in dues}
    assert by_month[2] == at(2026, 2, 28, 18)   # Saturday 28 Feb is a make-up working day
    assert by_month[5] == at(2026, 5, 29, 18)   # 30/31 May are a weekend
    assert by_month[10] == at(2026, 10, 30, 18)
    starts = [d.period_start for d in dues]
    assert starts == [dt.date(2026, m, 1) for m in range(1, 13)]


# --- seed 002: report 5 working days after the inspection ---------------------------------
def test_seed_002_online_inspection_report_is_due_5_working_days_after_q3() -> None:
    q3 = next(d for d in of(schedule(SEED_002, CAL), "online-inspection")
              if d.period_start == dt.date(2026, 7, 1))
    assert q3.due_at == at(2026, 9, 30, 18)
    # National Day 10/1-10/7; 10/8 (1), 10/9 (2), Sat 10/10 make-up (3), 10/12 (4), 10/13 (5)
    assert q3.report_due_at == at(2026, 10, 13, 18)


def test_seed_002_yearly_onsite_report_runs_into_a_year_without_holiday_data() -> None:
    (year,) = of(schedule(SEED_002, CAL), "onsite-inspection")
    assert year.due_at == at(2026, 12, 31, 18)
    assert year.report_due_at == at(2027, 1, 7, 18)   # 2027 taken as Monday-Friday
    assert year.estimated_years == frozenset({2027})


def test_seed_002_technical_documents_are_due_15_working_days_after_the_start() -> None:
    (docs,) = of(schedule(SEED_002, CAL), "technical-documents")
    # the start day (1 January, a holiday) is not counted; Sunday 1/4 is a make-up day (1)
    assert docs.due_at == at(2026, 1, 22, 18)
    assert (docs.period_start, docs.period_end) == (dt.date(2026, 1, 1), dt.date(2026, 1, 22))


def test_seed_002_daily_backup_on_a_holiday_is_due_when_work_resumes() -> None:
    daily = of(schedule(SEED_002, CAL), "daily-full-backup")
    assert len(daily) == 365
    by_day = {d.period_start: d.due_at for d in daily}
    assert by_day[dt.date(2026, 1, 3)] == at(2026, 1, 4, 18)   # holiday → make-up Sunday
    assert by_day[dt.date(2026, 3, 3)] == at(2026, 3, 3, 18)


# --- seed 003: half-yearly knowledge base ---------------------------------------------------
def test_seed_003_knowledge_base_is_half_yearly_and_inspections_monthly() -> None:
    dues = schedule(SEED_003, CAL)
    kb = of(dues, "knowledge-base")
    assert [(d.period_start, d.due_at) for d in kb] == [
        (dt.date(2026, 1, 1), at(2026, 6, 30, 18)), (dt.date(2026, 7, 1), at(2026, 12, 31, 18))]
    assert len(of(dues, "monthly-inspection")) == 12
    assert len(of(dues, "documents")) == 4


# --- seed 004: quarterly on-site inspection, report 7 working days ---------------------------
def test_seed_004_report_after_an_inspection_on_30_september_crosses_national_day() -> None:
    onsite = obligation(SEED_004, "onsite-inspection")
    # 10/8 (1), 10/9 (2), Sat 10/10 make-up (3), 10/12 (4), 10/13 (5), 10/14 (6), 10/15 (7)
    assert report_due_after(at(2026, 9, 30, 15), onsite, CAL) == (at(2026, 10, 15, 18),
                                                                   frozenset())
    # done in the evening or early in the morning: the day itself is still not counted
    assert report_due_after(at(2026, 9, 30, 23, 30), onsite, CAL)[0] == at(  # type: ignore[index]
        2026, 10, 15, 18)
    assert report_due_after(at(2026, 9, 29, 7), onsite, CAL)[0] == at(  # type: ignore[index]
        2026, 10, 14, 18)
    # done on a holiday: the first working day after it (10/8) counts as the first
    assert report_due_after(at(2026, 10, 3, 10), onsite, CAL)[0] == at(  # type: ignore[index]
        2026, 10, 15, 18)
    assert report_due_after(at(2026, 10, 8, 10), onsite, CAL)[0] == at(  # type: ignore[index]
        2026, 10, 16, 18)
    assert report_due_after(at(2026, 9, 30, 15), obligation(SEED_004, "restore-drill"),
                            CAL) is None


def test_seed_004_q4_onsite_inspection_and_its_report() -> None:
    q4 = next(d for d in of(schedule(SEED_004, CAL), "onsite-inspection")
              if d.period_start == dt.date(2026, 10, 1))
    assert (q4.period_end, q4.due_at) == (dt.date(2026, 12, 31), at(2026, 12, 31, 18))
    assert q4.report == "《系统健康检查与性能分析报告》"
    assert q4.report_due_at == at(2027, 1, 11, 18) and q4.estimated


def test_seed_004_one_offs_trainings_and_frequencies() -> None:
    dues = schedule(SEED_004, CAL)
    (plan,) = of(dues, "emergency-plan")
    # 1 month after 1 January is Sunday 1 February → Monday 2 February (民法典 第二百零三条)
    assert plan.due_at == at(2026, 2, 2, 18)
    (exam,) = of(dues, "exam-training")
    assert (exam.times, exam.period_start, exam.period_end) == (
        2, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert len(of(dues, "knowledge-base")) == 4 and len(of(dues, "vulnerability-check")) == 2
    assert len(of(dues, "remote-inspection")) == 12
    weeks = of(dues, "weekly-monitoring")
    assert weeks[0].partial and (weeks[0].period_start, weeks[0].period_end) == (
        dt.date(2026, 1, 1), dt.date(2026, 1, 4))
    assert weeks[0].due_at == at(2026, 1, 4, 18)   # make-up Sunday after New Year
    # week 9/14-9/20: Sunday 20 September is a make-up day, so the week closes then
    assert next(w for w in weeks if w.period_start == dt.date(2026, 9, 14)).due_at == at(
        2026, 9, 20, 18)
    assert [d.due_at for d in dues] == sorted(d.due_at for d in dues)


# --- rules --------------------------------------------------------------------------------
def with_period(contract: Contract, start: dt.date, end: dt.date,
                obligations: tuple[Obligation, ...] | None = None) -> Contract:
    return dataclasses.replace(contract, period=Period(start, end),
                               obligations=contract.obligations if obligations is None
                               else obligations)


def test_a_contract_starting_mid_quarter_has_a_partial_first_and_last_quarter() -> None:
    contract = with_period(SEED_004, dt.date(2026, 2, 10), dt.date(2027, 2, 9),
                           (obligation(SEED_004, "restore-drill"),))
    dues = schedule(contract, CAL)
    assert [(d.period_start, d.period_end, d.partial) for d in dues] == [
        (dt.date(2026, 2, 10), dt.date(2026, 3, 31), True),
        (dt.date(2026, 4, 1), dt.date(2026, 6, 30), False),
        (dt.date(2026, 7, 1), dt.date(2026, 9, 30), False),
        (dt.date(2026, 10, 1), dt.date(2026, 12, 31), False),
        (dt.date(2027, 1, 1), dt.date(2027, 2, 9), True),
    ]
    assert dues[-1].due_at == at(2027, 2, 9, 18) and dues[-1].estimated


def test_due_at_is_the_last_close_of_the_calendar_and_working_hours_units() -> None:
    dues = of(schedule(SEED_001, LUNCH), "monthly-service-review")
    assert dues[0].due_at == at(2026, 1, 30, 17, 30)
    ob = Obligation("r", "inspection", "t", "month", 1, "vendor", report="r",
                    report_due=Duration(4, "working_hours"))
    assert report_due_after(at(2026, 1, 30, 16), ob, LUNCH)[0] == at(  # type: ignore[index]
        2026, 2, 2, 10, 30)
    wall = dataclasses.replace(ob, report_due=Duration(48, "hours"))
    assert report_due_after(at(2026, 1, 30, 16), wall, LUNCH)[0] == at(  # type: ignore[index]
        2026, 2, 1, 16)
    days = dataclasses.replace(ob, report_due=Duration(3, "days"))
    assert report_due_after(at(2026, 9, 29, 16), days, CAL)[0] == at(  # type: ignore[index]
        2026, 10, 8, 18)


def test_a_window_keeps_whole_periods_and_rejects_a_reversed_one() -> None:
    dues = schedule(SEED_004, CAL, start=dt.date(2026, 11, 15), end=dt.date(2026, 11, 20))
    quarterly = of(dues, "restore-drill")
    assert [(d.period_start, d.period_end) for d in quarterly] == [
        (dt.date(2026, 10, 1), dt.date(2026, 12, 31))]
    assert not of(dues, "emergency-plan")
    with pytest.raises(ObligationError, match="window ends"):
        schedule(SEED_004, CAL, start=dt.date(2026, 2, 1), end=dt.date(2026, 1, 1))


# --- status and notices --------------------------------------------------------------------
def test_it_tells_each_state_and_the_fulfilling_completion() -> None:
    dues = of(schedule(SEED_004, CAL), "restore-drill") + of(schedule(SEED_004, CAL),
                                                             "exam-training")
    q1, q2, q3, q4, exam = dues
    done: dict[tuple[str, dt.date], dt.datetime | list[dt.datetime]] = {
        q1.key: at(2026, 3, 20, 10), q2.key: at(2026, 7, 2, 9),
            exam.key: [at(2026, 4, 1, 9), at(2026, 9, 1, 9)]}
    now = at(2026, 12, 24, 12)
    states = {s.due.key: s for s in status(dues, done, now, CAL)}
    assert states[q1.key].state == "done" and states[q1.key].done_at == at(2026, 3, 20, 10)
    assert states[q2.key].state == "done_late"
    assert states[q3.key].state == "overdue"
    assert states[q4.key].state == "due_soon"     # 31 December is 5 working days away
    assert states[exam.key].state == "done" and states[exam.key].done_count == 2
    assert states[exam.key].done_at == at(2026, 9, 1, 9)
    early = {s.due.key: s.state for s in status(dues, done, at(2026, 12, 1, 12), CAL)}
    assert early[q4.key] == "upcoming"
    one_training = {exam.key: at(2026, 4, 1, 9)}
    (ex,) = status([exam], one_training, at(2027, 1, 4, 9), CAL)
    assert (ex.state, ex.done_count) == ("overdue", 1)
    # a completion recorded for the future does not count yet
    (future,) = status([q4], {q4.key: at(2026, 12, 30, 9)}, now, CAL)
    assert future.state == "due_soon" and future.done_count == 0


def test_overdue_notices_are_sent_once() -> None:
    dues = of(schedule(SEED_004, CAL), "restore-drill")
    done = {dues[1].key: at(2026, 7, 3, 9)}
    first = overdue_notices(status(dues, done, at(2026, 10, 9, 9), CAL))
    assert [(n.due.period_start, n.state, n.at) for n in first] == [
        (dt.date(2026, 1, 1), "overdue", at(2026, 3, 31, 18)),
        (dt.date(2026, 4, 1), "done_late", at(2026, 6, 30, 18)),
        (dt.date(2026, 7, 1), "overdue", at(2026, 9, 30, 18)),
    ]
    assert first[0].key == "obligation:restore-drill:2026-01-01:overdue"
    sent = [n.key for n in first]
    assert overdue_notices(status(dues, done, at(2026, 10, 9, 9), CAL), sent) == []
    later = overdue_notices(status(dues, done, at(2027, 1, 4, 9), CAL), sent)
    assert [n.due.period_start for n in later] == [dt.date(2026, 10, 1)]


def test_naive_instants_are_refused() -> None:
    dues = of(schedule(SEED_004, CAL), "restore-drill")
    with pytest.raises(ObligationError):
        status(dues, {}, dt.datetime(2026, 5, 1), CAL)
    with pytest.raises(ObligationError):
        report_due_after(dt.datetime(2026, 5, 1), obligation(SEED_004, "onsite-inspection"),
                         CAL)


# --- properties ----------------------------------------------------------------------------
RECURRING = ("week", "month", "quarter", "half_year", "year", "contract")
periods = st.tuples(st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
                    st.integers(0, 500))


def contract_of(every: str, start: dt.date, days: int, report_days: int = 5) -> Contract:
    ob = Obligation("x", "inspection", "巡检", every, 1, "vendor", report="报告",
                    report_due=Duration(report_days, "working_days"))
    return with_period(SEED_004, start, start + dt.timedelta(days=days), (ob,))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(RECURRING), periods)
def test_periods_never_overlap_and_cover_the_service_period(
        every: str, period: tuple[dt.date, int]) -> None:
    contract = contract_of(every, *period)
    dues = sorted(schedule(contract, CAL), key=lambda d: d.period_start)
    assert dues[0].period_start == contract.period.start
    assert dues[-1].period_end == contract.period.end
    for a, b in itertools.pairwise(dues):
        assert b.period_start == a.period_end + dt.timedelta(days=1)
    for d in dues:
        assert d.period_start <= d.period_end
        if every == "month":
            assert (d.period_start.year, d.period_start.month) == (d.period_end.year,
                                                                   d.period_end.month)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(RECURRING), periods, st.integers(0, 10))
def test_every_due_is_a_working_close_and_the_report_follows_it(
        every: str, period: tuple[dt.date, int], report_days: int) -> None:
    for due in schedule(contract_of(every, *period, report_days=report_days), CAL):
        day = due.due_at.date()
        hours = CAL.day_info(day).hours
        assert hours and due.due_at.time() == dt.time(hours[-1].end // 60, hours[-1].end % 60)
        assert CAL.is_working(due.due_at - dt.timedelta(minutes=1)).value
        if day > due.period_end:   # no working day in the period: the first one after it
            assert not any(CAL.day_info(due.period_start + dt.timedelta(days=i)).hours
                           for i in range((due.period_end - due.period_start).days + 1))
        else:
            assert day >= due.period_start
        assert due.report_due_at is not None and due.report_due_at >= due.due_at


@settings(max_examples=80, deadline=None)
@given(st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2026, 12, 20)),
       st.timedeltas(dt.timedelta(0), dt.timedelta(days=20)),
       st.sampled_from([Duration(5, "working_days"), Duration(7, "working_days"),
                        Duration(4, "working_hours"), Duration(2, "days"),
                        Duration(48, "hours"), Duration(1, "months")]))
def test_a_later_completion_never_gives_an_earlier_report_due(
        done: dt.datetime, later: dt.timedelta, report_due: Duration) -> None:
    ob = Obligation("x", "inspection", "巡检", "quarter", 1, "vendor", report="报告",
                    report_due=report_due)
    first = report_due_after(done.replace(tzinfo=SH), ob, CAL)
    second = report_due_after(done.replace(tzinfo=SH) + later, ob, CAL)
    assert first is not None and second is not None
    assert first[0] >= done.replace(tzinfo=SH)
    assert second[0] >= first[0]


@settings(max_examples=40, deadline=None)
@given(periods, st.dates(dt.date(2024, 12, 1), dt.date(2028, 6, 30)), st.integers(0, 200))
def test_a_window_is_the_whole_schedule_filtered(
        period: tuple[dt.date, int], start: dt.date, length: int) -> None:
    contract = with_period(SEED_004, period[0], period[0] + dt.timedelta(days=period[1]))
    end = start + dt.timedelta(days=length)
    whole = schedule(contract, CAL)
    assert schedule(contract, CAL, start=start, end=end) == [
        d for d in whole if d.period_end >= start and d.period_start <= end]
    assert schedule(contract, CAL, start=start) == [d for d in whole if d.period_end >= start]


# --- the command line ----------------------------------------------------------------------
@pytest.mark.django_db
def test_it_prints_the_schedule_of_a_seed_file() -> None:
    out = StringIO()
    call_command("obligations", str(EXAMPLES / "seed-004-surgical-video-exam.yaml"),
                 "--from", "2026-12-01", "--to", "2026-12-31", stdout=out)
    lines = out.getvalue().splitlines()
    assert ("2026-12-31T18:00:00+08:00  onsite-inspection  季度现场深度巡检  vendor  "
            "report due 2027-01-11T18:00:00+08:00 estimated: no holiday data for 2027") in lines
    weekly = "每周主动监测（性能问题、功能缺陷、安全漏洞）"
    assert f"2026-12-04T18:00:00+08:00  weekly-monitoring  {weekly}  vendor" in lines
    assert not any("emergency-plan" in line for line in lines)
    with pytest.raises(CommandError, match="--to '2026-12-32' is not a date") as bad:
        call_command("obligations", str(EXAMPLES / "seed-004-surgical-video-exam.yaml"),
                     "--to", "2026-12-32")
    assert bad.value.returncode == 2
    with pytest.raises(CommandError, match="no contract with code 'NOPE'"):
        call_command("obligations", "NOPE")


@pytest.mark.django_db
def test_it_reads_a_stored_contract_by_code(alice: Any, cmdb: Any, seed_004: str) -> None:
    from careops.contracts.actions import profiles

    profiles.load_profile(alice, seed_004)
    out = StringIO()
    call_command("obligations", "seed-004-edu", "--from", "2026-01-01", "--to", "2026-01-31",
                 stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "2026-01-04T18:00:00+08:00  weekly-monitoring  " \
        "每周主动监测（性能问题、功能缺陷、安全漏洞）  vendor"
    plan = "《重大故障应急响应预案》及《灾难恢复计划》"
    assert f"2026-02-02T18:00:00+08:00  emergency-plan  {plan}  vendor" in lines
    with pytest.raises(CommandError, match="window ends") as reversed_window:
        call_command("obligations", "seed-004-edu", "--from", "2026-02-01", "--to", "2026-01-01")
    assert reversed_window.value.returncode == 2


# --- tracker helpers: deadline, overdue, working days left ------------------------------------

instants = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31),
                        timezones=st.just(SH))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instants, st.one_of(st.none(), instants), instants, st.booleans())
def test_overdue_is_open_and_past_the_report_deadline_or_the_due(
        due: dt.datetime, report: dt.datetime | None, now: dt.datetime, open_: bool) -> None:
    limit = deadline(due, report)
    assert limit == (report if report is not None else due)
    assert is_overdue(open_, due, report, now) == (open_ and now > limit)
    assert not is_overdue(False, due, report, now)


def test_it_counts_working_days_left_across_national_day() -> None:
    now = at(2026, 9, 30, 10)
    assert working_days_left(CAL, now, at(2026, 9, 30, 18)) == 0
    # 10/8 (1), 10/9 (2), Saturday 10/10 make-up (3), 10/12 (4) … 10/15 (7)
    assert working_days_left(CAL, now, at(2026, 10, 15, 18)) == 7
    # late: due Friday 25 September, today Wednesday 30 September: 28, 29, 30
    assert working_days_left(CAL, now, at(2026, 9, 25, 18)) == -3
    with pytest.raises(ObligationError):
        working_days_left(CAL, now.replace(tzinfo=None), now)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instants, instants)
def test_working_days_left_is_antisymmetric_up_to_today(a: dt.datetime, b: dt.datetime) -> None:
    forward = working_days_left(CAL, a, b)
    # the sign follows the direction; 0 also when only non-working days lie between
    # (due on Friday, today Saturday: no working day late yet)
    assert forward <= 0 if b.date() < a.date() else forward >= 0
    if forward:
        assert (forward > 0) == (b.date() > a.date())
    if a.date() != b.date():
        back = working_days_left(CAL, b, a)
        # each direction counts the working days after the earlier day up to the later one
        assert abs(forward) == abs(back)
