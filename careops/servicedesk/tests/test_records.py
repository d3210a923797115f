"""Waived visits, analysis reports, change plans, problem links, confirmation rights,
the contract version in force and a target's own calendar (seed 003's 7×24 hotline)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from careops.cmdb.models import BusinessSystem, Vendor
from careops.contracts.actions import profiles
from careops.core.models import AuditRecord
from careops.servicedesk import actions
from careops.servicedesk.clocks import clocks_for
from careops.servicedesk.models import AnalysisReport, ChangePlan, Ticket

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))
OPENED = dt.datetime(2026, 3, 10, 10, 0, tzinfo=CST)  # a Tuesday, in working hours
EXAMPLES = Path(__file__).resolve().parents[3] / "contracts" / "examples"


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=CST)


def clocks(ticket: Ticket, now: dt.datetime) -> dict[str, Any]:
    return {c.name: c for c in clocks_for(ticket, now)}


def p1(user: Any, desk: dict[str, Any]) -> Ticket:
    return actions.open_ticket(user, "incident", "视频无法播放", "手术室3无画面",
                               [desk["video"]], channel="phone", now=OPENED)


def test_the_hospital_declares_a_visit_not_needed_and_the_clock_is_waived(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any) -> None:
    seed_004()
    ticket = p1(alice, desk)
    actions.transition(bob, ticket, "acknowledged", now=at(10, 10, 5))
    with pytest.raises(PermissionDenied):       # the vendor does not waive its own visit
        actions.waive_target(bob, ticket, "on_site", "远程已解决", now=at(10, 10, 20))
    with pytest.raises(ValidationError) as info:
        actions.waive_target(alice, ticket, "respond", "x", now=at(10, 10, 20))
    assert "target" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        actions.waive_target(alice, ticket, "on_site", " ", now=at(10, 10, 20))
    assert "reason" in info.value.message_dict
    actions.waive_target(alice, ticket, "on_site", "远程已解决", now=at(10, 10, 20))
    got = clocks(ticket, at(12, 9))
    assert got["on_site"].state == "waived" and got["on_site"].breached_at is None
    assert got["respond"].state == "met"
    with pytest.raises(ValidationError):        # once only
        actions.waive_target(alice, ticket, "on_site", "again", now=at(10, 10, 30))
    waivers = [r for r in AuditRecord.objects.filter(object_type="servicedesk.ticket",
                                                     object_id=str(ticket.pk))
               if '"waived":"on_site"' in r.detail_json]
    assert len(waivers) == 1


def test_the_analysis_report_meets_the_report_target_three_working_days_after_restore(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any) -> None:
    seed_004()
    ticket = p1(alice, desk)
    actions.transition(bob, ticket, "acknowledged", now=at(10, 10, 5))
    actions.transition(bob, ticket, "restored", fallback_plan="本地录像", now=at(10, 11))
    report = clocks(ticket, at(11, 9))["report"]
    assert report.state == "running"
    assert report.due_at == at(13, 11)            # Tue 11:00 + 3 working days
    with pytest.raises(ValidationError) as info:
        actions.submit_analysis(bob, ticket, event_description="录像中断", root_cause="",
                                scope="手术室3", steps_taken="", prevention="巡检",
                                now=at(12, 9))
    assert set(info.value.message_dict) == {"root_cause", "steps_taken"}
    actions.submit_analysis(bob, ticket, event_description="录像中断", root_cause="存储满",
                            scope="手术室3", steps_taken="清理归档", prevention="容量告警",
                            now=at(12, 9))
    assert clocks(ticket, at(16, 9))["report"].state == "met"
    # a corrected report replaces the text; the target stays met at the first submission
    actions.submit_analysis(bob, ticket, event_description="录像中断", root_cause="归档失败",
                            scope="手术室3", steps_taken="清理归档", prevention="容量告警",
                            now=at(17, 9))
    assert AnalysisReport.objects.get(ticket=ticket).root_cause == "归档失败"
    assert ticket.events.filter(kind="target_met", to_value="report").count() == 1
    assert clocks(ticket, at(18, 9))["report"].met_at == at(12, 9)


def plan(actor: Any, ticket: Ticket, **kwargs: Any) -> ChangePlan:
    values: dict[str, Any] = {
        "content": "升级视频平台至 5.2", "plan": "停机 30 分钟升级", "window_start": at(20, 22),
        "window_end": at(20, 23), "risk_assessment": "中", "backup_plan": "整机快照",
        "rollback_plan": "快照回滚"}
    values.update(kwargs)
    return actions.save_change_plan(actor, ticket, **values)


def test_a_change_goes_through_plan_approval_supervisor_report_and_verification(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any, make_user: Any) -> None:
    seed_004()
    engineer = make_user("it-eng", role="it_engineer")
    change = actions.open_ticket(bob, "change", "视频平台升级", "", [desk["video"]], now=OPENED)
    with pytest.raises(ValidationError) as info:       # nothing to approve yet
        actions.transition(alice, change, "approved", now=at(11, 9))
    assert "change_plan" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        plan(bob, change, window_end=at(20, 21), backup_plan="")
    assert set(info.value.message_dict) == {"window_end", "backup_plan"}
    with pytest.raises(ValidationError) as info:       # the vendor cannot supervise itself
        plan(bob, change, supervisor=bob)
    assert "supervisor" in info.value.message_dict
    plan(bob, change)
    with pytest.raises(PermissionDenied):              # no self-approval, no vendor approval
        actions.transition(bob, change, "approved", now=at(11, 9))
    actions.transition(alice, change, "approved", now=at(11, 9))
    with pytest.raises(ValidationError):               # the plan is fixed once approved
        plan(bob, change, content="改了")
    actions.transition(bob, change, "scheduled", now=at(11, 10))
    with pytest.raises(ValidationError) as info:
        actions.transition(bob, change, "implementing", now=at(20, 22))
    assert "supervisor" in info.value.message_dict
    actions.transition(bob, change, "implementing", supervisor=engineer, now=at(20, 22))
    with pytest.raises(ValidationError) as info:
        actions.transition(bob, change, "implemented", now=at(20, 23))
    assert "implementation_report" in info.value.message_dict
    actions.transition(bob, change, "implemented", implementation_report="升级完成，功能验证通过",
                       now=at(20, 23))
    with pytest.raises(PermissionDenied):
        actions.transition(bob, change, "verified", now=at(21, 9))
    actions.transition(alice, change, "verified", now=at(21, 9))
    saved = ChangePlan.objects.get(ticket=change)
    assert (saved.supervisor, saved.implementation_report) == (engineer, "升级完成，功能验证通过")
    assert Ticket.objects.get(pk=change.pk).status == "verified"


def test_a_rollback_needs_its_reason(seed_004: Any, desk: dict[str, Any], alice: Any,
                                     bob: Any) -> None:
    seed_004()
    change = actions.open_ticket(bob, "change", "视频平台升级", "", [desk["video"]], now=OPENED)
    plan(bob, change, supervisor=alice)
    actions.transition(alice, change, "approved", now=at(11, 9))
    actions.transition(bob, change, "scheduled", now=at(11, 10))
    actions.transition(bob, change, "implementing", now=at(20, 22))
    with pytest.raises(ValidationError) as info:
        actions.transition(bob, change, "rolled_back", now=at(20, 23))
    assert "rollback_reason" in info.value.message_dict
    actions.transition(bob, change, "rolled_back", rollback_reason="数据库迁移失败",
                       now=at(20, 23))
    assert ChangePlan.objects.get(ticket=change).rollback_reason == "数据库迁移失败"


def test_problems_link_incidents_both_ways(seed_004: Any, desk: dict[str, Any], alice: Any,
                                          bob: Any) -> None:
    seed_004()
    first, second = p1(alice, desk), p1(alice, desk)
    problem = actions.open_ticket(bob, "problem", "存储反复写满", "", [desk["video"]],
                                  now=OPENED)
    with pytest.raises(ValidationError):
        actions.link_incidents(bob, first, [second])
    actions.link_incidents(bob, problem, [first, second], now=at(11, 9))
    assert set(first.problems.all()) == {problem}
    assert set(problem.linked_incidents.all()) == {first, second}
    assert first.events.filter(kind="link", to_value=problem.number).exists()
    actions.link_incidents(bob, problem, [second], unlink=True, now=at(11, 10))
    assert set(problem.linked_incidents.all()) == {first}


def test_the_vendor_cannot_confirm_its_own_resolution(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any, charlie: Any) -> None:
    seed_004()
    ticket = actions.open_ticket(charlie, "incident", "考试系统登录慢", "", [desk["exam"]],
                                 now=OPENED)
    actions.transition(bob, ticket, "acknowledged", now=at(10, 10, 30))
    actions.transition(bob, ticket, "restored", now=at(10, 11))
    actions.transition(bob, ticket, "resolved", now=at(10, 12))
    with pytest.raises(PermissionDenied):
        actions.transition(bob, ticket, "confirmed", now=at(10, 13))
    actions.transition(alice, ticket, "confirmed", now=at(10, 13))
    assert Ticket.objects.get(pk=ticket.pk).status == "confirmed"


def test_the_version_in_force_is_chosen_by_the_opening_day(
        seed_004: Any, desk: dict[str, Any], alice: Any) -> None:
    first = seed_004()
    text = (EXAMPLES / "seed-004-surgical-video-exam.yaml").read_text(encoding="utf-8")
    second = profiles.load_profile(alice, text.replace("respond: 15min", "respond: 10min"),
                                   valid_from=dt.date(2026, 6, 1)).version
    march = p1(alice, desk)
    june = actions.open_ticket(alice, "incident", "视频无法播放", "", [desk["video"]],
                               now=dt.datetime(2026, 6, 2, 10, tzinfo=CST))
    after = actions.open_ticket(alice, "incident", "视频无法播放", "", [desk["video"]],
                                now=dt.datetime(2027, 1, 4, 10, tzinfo=CST))
    assert (march.contract_version, june.contract_version) == (first, second)
    assert after.contract_version is None          # the service period ended on 2026-12-31


def test_a_target_on_its_own_calendar_runs_through_the_weekend(
        db: Any, alice: Any) -> None:
    vendor = Vendor.objects.create(code="V-ZHITOU", name="智透")
    hd = BusinessSystem.objects.create(code="HD", name="血透信息管理系统", patient_safety=True,
                                       category="clinical")
    BusinessSystem.objects.create(code="CKD-PD", name="CKD及腹膜透析管理系统",
                                  category="clinical")
    hd.maintainers.add(vendor)
    profiles.load_profile(alice, (EXAMPLES / "seed-003-dialysis.yaml").read_text("utf-8"))
    saturday_night = dt.datetime(2026, 3, 14, 22, 0, tzinfo=CST)
    ticket = actions.open_ticket(alice, "incident", "透析机数据不上传", "", [hd],
                                 now=saturday_night)
    assert ticket.priority == "P1"
    on_site = clocks(ticket, saturday_night + dt.timedelta(hours=1))["on_site"]
    # "2 hours, 7×24" — not Monday morning
    assert on_site.due_at == saturday_night + dt.timedelta(hours=2)


def test_a_vendor_engineer_cannot_confirm_a_ticket_he_reported_himself(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any) -> None:
    seed_004()
    ticket = actions.open_ticket(bob, "incident", "考试系统登录慢", "", [desk["exam"]],
                                 now=OPENED)
    for status, minute in (("acknowledged", 10), ("restored", 11), ("resolved", 12)):
        actions.transition(bob, ticket, status, now=at(10, 10, minute))
    with pytest.raises(PermissionDenied):
        actions.transition(bob, ticket, "confirmed", now=at(10, 10, 13))
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"
    actions.transition(alice, ticket, "confirmed", now=at(10, 10, 14))
    assert Ticket.objects.get(pk=ticket.pk).status == "confirmed"


def test_the_service_desk_may_only_name_hospital_staff_or_department_users_as_reporter(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any, charlie: Any,
        auditor: Any, make_user: Any) -> None:
    seed_004()
    other_vendor = make_user("victor", "vendor_engineer")
    for reporter in (other_vendor, auditor):
        with pytest.raises(ValidationError) as info:
            actions.open_ticket(bob, "incident", "x", "", [desk["exam"]], reporter=reporter,
                                now=OPENED)
        assert "reporter" in info.value.message_dict
    assert not Ticket.objects.exists()
    ticket = actions.open_ticket(bob, "incident", "x", "", [desk["exam"]], reporter=charlie,
                                 now=OPENED)
    assert ticket.reporter == charlie


def test_the_reporter_refuses_a_resolution_with_a_note_and_work_starts_again(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any, charlie: Any,
        make_user: Any) -> None:
    seed_004()
    ticket = actions.open_ticket(charlie, "incident", "考试系统登录慢", "", [desk["exam"]],
                                 now=OPENED)
    for status, minute in (("acknowledged", 10), ("restored", 11), ("resolved", 12)):
        actions.transition(bob, ticket, status, now=at(10, 10, minute))
    with pytest.raises(ValidationError) as info:
        actions.transition(charlie, ticket, "acknowledged", " ", now=at(10, 10, 20))
    assert "note" in info.value.message_dict
    colleague = make_user("erin")
    colleague.departments.add(*desk["exam"].departments.all())
    with pytest.raises(PermissionDenied):       # sees the ticket, did not report it
        actions.transition(colleague, ticket, "acknowledged", "还是慢", now=at(10, 10, 20))
    actions.transition(charlie, ticket, "acknowledged", "登录仍需一分钟", now=at(10, 10, 21))
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.status == "acknowledged"
    refused = fresh.events.get(kind="status", from_value="resolved")
    assert (refused.actor, refused.note) == (charlie, "登录仍需一分钟")
    assert actions.allowed_next(fresh) == ("on_site", "restored", "waiting_hospital",
                                           "waiting_third_party")


REPORT = {"event_description": "编码器电源故障", "root_cause": "电源模块老化",
          "scope": "手术室3", "steps_taken": "更换电源", "prevention": "季度巡检"}


def test_two_first_analysis_reports_at_once_lose_nothing_and_bump_the_version(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any) -> None:
    seed_004()
    ticket = p1(alice, desk)
    mine, theirs = Ticket.objects.get(pk=ticket.pk), Ticket.objects.get(pk=ticket.pk)
    actions.submit_analysis(bob, mine, **REPORT, expected_version=1, now=at(10, 11))
    assert Ticket.objects.get(pk=ticket.pk).version == 2
    with pytest.raises(actions.ConflictError) as info:     # read before the first one
        actions.submit_analysis(alice, theirs, **{**REPORT, "root_cause": "存储满"},
                                now=at(10, 12))
    assert info.value.current == 2
    assert AnalysisReport.objects.get(ticket=ticket).root_cause == "电源模块老化"
    assert ticket.events.filter(kind="report").count() == 1
    actions.submit_analysis(alice, ticket, **{**REPORT, "root_cause": "存储满"},
                            expected_version=2, now=at(10, 13))
    assert AnalysisReport.objects.get(ticket=ticket).root_cause == "存储满"


def test_a_change_plan_saved_on_a_stale_version_is_a_conflict(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any) -> None:
    seed_004()
    change = actions.open_ticket(bob, "change", "视频平台升级", "", [desk["video"]], now=OPENED)
    plan = {"content": "升级至 5.2", "plan": "停机升级", "window_start": at(20, 22),
            "window_end": at(20, 23), "risk_assessment": "中断 30 分钟",
            "backup_plan": "快照", "rollback_plan": "回滚"}
    actions.save_change_plan(bob, change, **plan, expected_version=1)
    assert Ticket.objects.get(pk=change.pk).version == 2
    with pytest.raises(actions.ConflictError):
        actions.save_change_plan(alice, change, **{**plan, "content": "改"},
                                 expected_version=1)
    assert ChangePlan.objects.get(ticket=change).content == "升级至 5.2"


def test_problems_link_incidents_by_number_through_one_action(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any) -> None:
    seed_004()
    incident = p1(alice, desk)
    printer = actions.open_ticket(alice, "incident", "打印机卡纸", "", [desk["printer"]],
                                  now=OPENED)                   # bob may not see it
    problem = actions.open_ticket(bob, "problem", "视频存储性能不足", "", [desk["video"]],
                                  now=OPENED)
    answers = []
    for number in (printer.number, "INC-2026-999999"):    # hidden, and not existing
        with pytest.raises(ValidationError) as info:
            actions.link_incidents_by_number(bob, problem, [number], field="numbers")
        assert list(info.value.message_dict) == ["numbers"]
        answers.append(info.value.message_dict["numbers"][0].replace(number, "N"))
    assert answers[0] == answers[1]
    actions.link_incidents_by_number(bob, problem, [f" {incident.number.lower()} "],
                                     now=at(10, 11))
    assert list(problem.linked_incidents.all()) == [incident]
