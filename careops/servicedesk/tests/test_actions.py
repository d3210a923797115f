"""Opening and working tickets (careops.servicedesk.actions) and their SLA clocks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from careops.core.models import AuditRecord
from careops.logic.contract import Facts
from careops.servicedesk import actions
from careops.servicedesk.clocks import clocks_for
from careops.servicedesk.models import Team, Ticket, TicketEvent
from careops.servicedesk.tests.conftest import PAUSES

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))
OPENED = dt.datetime(2026, 3, 10, 10, 0, tzinfo=CST)  # a Tuesday, in working hours


def at(hour: int, minute: int = 0) -> dt.datetime:
    return OPENED.replace(hour=hour, minute=minute)


def incident(user: Any, item: Any, **kwargs: Any) -> Ticket:
    return actions.open_ticket(user, "incident", "视频无法播放", "手术室3无画面", [item],
                               channel="phone", now=OPENED, **kwargs)


def records(ticket: Ticket) -> Any:
    return AuditRecord.objects.filter(object_type="servicedesk.ticket", object_id=str(ticket.pk))


def clock(ticket: Ticket, name: str, now: dt.datetime) -> Any:
    return next(c for c in clocks_for(ticket, now) if c.name == name)


def test_it_takes_the_contract_and_p1_from_a_patient_safety_system(
        seed_004: Any, desk: dict[str, Any], charlie: Any) -> None:
    version = seed_004()
    ticket = incident(charlie, desk["video"])
    assert ticket.number == "INC-2026-000001"
    assert ticket.contract_version == version
    assert ticket.priority == "P1"
    assert ticket.status == "new"
    assert list(ticket.systems.all()) == [desk["video"]]
    opened = ticket.events.get()
    assert (opened.kind, opened.to_value, opened.actor) == ("opened", "P1", charlie)
    assert records(ticket).filter(action="create").exists()


def test_it_finds_the_contract_through_the_host_a_system_runs_on(
        seed_004: Any, desk: dict[str, Any], alice: Any) -> None:
    version = seed_004()
    ticket = incident(alice, desk["host"])
    assert ticket.contract_version == version
    assert ticket.priority == "P1"
    assert list(ticket.systems.all()) == [desk["video"]]


def test_it_classifies_by_the_departments_hit_or_the_given_facts(
        seed_004: Any, desk: dict[str, Any], alice: Any) -> None:
    seed_004()
    # The exam system serves two departments: scope "hospital", no clinical severity → P3.
    assert incident(alice, desk["exam"]).priority == "P3"
    assert incident(alice, desk["exam"], facts=Facts(outage="full"),
                    reason="全部考场无法登录").priority == "P2"
    assert incident(alice, desk["exam"], facts=Facts(scope="hospital", severity="clinical"),
                    reason="影响门诊考核").priority == "P1"
    numbers = list(Ticket.objects.order_by("id").values_list("number", flat=True))
    assert numbers == ["INC-2026-000001", "INC-2026-000002", "INC-2026-000003"]


def test_it_needs_a_reason_to_set_an_incidents_priority_by_hand(
        seed_004: Any, desk: dict[str, Any], alice: Any) -> None:
    seed_004()
    with pytest.raises(ValidationError) as info:
        incident(alice, desk["exam"], priority="P1")
    assert "reason" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        incident(alice, desk["exam"], priority="P9", reason="院长要求")
    assert "priority" in info.value.message_dict
    assert not Ticket.objects.exists()
    ticket = incident(alice, desk["exam"], priority="P1", reason="院长要求")
    assert (ticket.priority, ticket.priority_reason) == ("P1", "院长要求")
    record = records(ticket).get()
    assert record.detail["priority_override"] is True


def test_it_flags_a_ticket_on_uncovered_items_as_without_sla(
        seed_004: Any, desk: dict[str, Any], alice: Any) -> None:
    seed_004()
    ticket = incident(alice, desk["printer"])
    assert ticket.contract_version is None
    assert ticket.priority == ""
    assert list(Ticket.objects.without_sla()) == [ticket]
    assert clocks_for(ticket, at(11)) == []


def test_it_asks_for_a_requests_tier_and_its_approval_over_the_included_effort(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any) -> None:
    seed_004()
    with pytest.raises(ValidationError) as info:
        actions.open_ticket(bob, "request", "新增报表", "", [desk["exam"]], now=OPENED)
    assert "simple" in info.value.message_dict["priority"][0]
    ticket = actions.open_ticket(bob, "request", "新增报表", "", [desk["exam"]],
                                 priority="complex", effort_person_days=Decimal("8"),
                                 now=OPENED)
    assert ticket.number == "REQ-2026-000001"
    with pytest.raises(actions.TransitionError) as err:
        actions.transition(bob, ticket, "approved")
    assert err.value.allowed == ("waiting_approval",)
    actions.transition(bob, ticket, "waiting_approval", now=at(10, 5))
    with pytest.raises(PermissionDenied):
        actions.transition(bob, ticket, "approved")   # only the hospital approves
    actions.transition(alice, ticket, "approved", now=at(10, 30))
    assert ticket.status == "approved"


def test_it_forbids_approving_ones_own_change(
        seed_004: Any, desk: dict[str, Any], alice: Any) -> None:
    seed_004()
    change = actions.open_ticket(alice, "change", "升级考试系统", "", [desk["exam"]], now=OPENED)
    assert change.number.startswith("CHG-") and change.status == "submitted"
    with pytest.raises(PermissionDenied):
        actions.transition(alice, change, "approved")
    assert Ticket.objects.get(pk=change.pk).status == "submitted"


def test_it_refuses_an_illegal_transition_listing_the_allowed(
        seed_004: Any, desk: dict[str, Any], bob: Any) -> None:
    seed_004()
    ticket = incident(bob, desk["video"])
    with pytest.raises(actions.TransitionError) as info:
        actions.transition(bob, ticket, "resolved")
    assert info.value.allowed == ("acknowledged",)
    assert Ticket.objects.get(pk=ticket.pk).version == 1


def test_it_loses_no_update_when_two_engineers_race(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any) -> None:
    seed_004()
    ticket = incident(alice, desk["video"])
    mine = Ticket.objects.get(pk=ticket.pk)
    theirs = Ticket.objects.get(pk=ticket.pk)
    actions.transition(bob, mine, "acknowledged", "在处理", expected_version=1)
    with pytest.raises(actions.ConflictError) as info:
        actions.assign(alice, theirs, alice, expected_version=1)
    assert info.value.current == 2
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.status, fresh.assignee, fresh.version) == ("acknowledged", None, 2)
    assert not fresh.events.filter(kind="assign").exists()


def test_it_meets_respond_on_acknowledge(
        seed_004: Any, desk: dict[str, Any], bob: Any) -> None:
    seed_004()
    ticket = incident(bob, desk["video"])
    running = clock(ticket, "respond", at(10, 5))
    assert running.state == "running"
    assert running.due_at == at(10, 15)
    actions.transition(bob, ticket, "acknowledged", now=at(10, 10))
    met = clock(ticket, "respond", at(10, 30))
    assert (met.state, met.met_at) == ("met", at(10, 10))
    assert TicketEvent.objects.filter(ticket=ticket, kind="target_met",
                                      to_value="respond").count() == 1
    late = clock(ticket, "on_site", at(11, 30))
    assert (late.state, late.breached_at) == ("breached", at(11))


def test_it_pauses_restore_but_not_respond_while_waiting_for_the_hospital(
        seed_004: Any, desk: dict[str, Any], bob: Any) -> None:
    seed_004(PAUSES)
    ticket = incident(bob, desk["video"])
    with pytest.raises(actions.TransitionError):
        actions.transition(bob, ticket, "waiting_hospital", now=at(10, 5))
    actions.transition(bob, ticket, "acknowledged", now=at(10, 20))   # 5 minutes late
    with pytest.raises(ValidationError) as info:   # a P1 not fixed at once
        actions.transition(bob, ticket, "waiting_hospital", "等待科室提供账号", now=at(10, 30))
    assert "fallback_plan" in info.value.message_dict
    actions.transition(bob, ticket, "waiting_hospital", "等待科室提供账号",
                       fallback_plan="术中录像先存本地工作站，恢复后补传", now=at(10, 30))
    assert Ticket.objects.get(pk=ticket.pk).fallback_plan.startswith("术中录像")
    during = {c.name: c for c in clocks_for(ticket, at(11, 30))}
    assert during["restore"].state == "paused"
    assert during["respond"].state == "breached"      # not paused: it was met late
    assert during["on_site"].state == "breached"      # wall clock, not in the pauses
    assert actions.allowed_next(ticket) == ("acknowledged", "waiting_third_party")
    actions.transition(bob, ticket, "acknowledged", now=at(11, 30))
    restore = clock(ticket, "restore", at(12))
    assert restore.state == "running"
    assert restore.due_at == at(13)                   # 12:00 + the hour it waited
    assert [(s, e) for s, e in restore.paused] == [(at(10, 30), at(11, 30))]


def test_it_recomputes_the_clocks_on_a_priority_change_and_audits_it(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any) -> None:
    seed_004()
    ticket = incident(alice, desk["exam"])
    assert clock(ticket, "respond", at(10, 5)).due_at == at(12)          # P3: 2 h
    with pytest.raises(ValidationError) as info:
        actions.change_priority(bob, ticket, "P1", "")
    assert "reason" in info.value.message_dict
    actions.change_priority(bob, ticket, "P1", "考试期间全院无法登录", now=at(10, 10))
    respond = clock(ticket, "respond", at(10, 12))
    assert (respond.priority, respond.due_at) == ("P1", at(10, 15))
    assert {c.name for c in clocks_for(ticket, at(10, 12))} == {
        "respond", "on_site", "restore", "report"}
    record = records(ticket).get(action="update")
    assert record.changes["priority"] == ["P3", "P1"]
    assert record.detail["reason"] == "考试期间全院无法登录"
    assert ticket.events.filter(kind="priority", from_value="P3", to_value="P1").exists()


def test_it_keeps_department_users_to_their_own_tickets(
        seed_004: Any, desk: dict[str, Any], charlie: Any, make_user: Any) -> None:
    seed_004()
    with pytest.raises(ValidationError) as info:
        incident(charlie, desk["printer"])      # teaching's system, not surgery's
    assert "items" in info.value.message_dict
    ticket = incident(charlie, desk["video"])
    with pytest.raises(PermissionDenied):
        actions.transition(charlie, ticket, "acknowledged")
    actions.comment(charlie, ticket, "还是黑屏")
    with pytest.raises(PermissionDenied):
        actions.comment(charlie, ticket, "内部", public=False)
    outsider = make_user("dora", "vendor_engineer")
    with pytest.raises(PermissionDenied):
        actions.transition(outsider, ticket, "acknowledged")


def test_it_assigns_only_to_someone_who_may_work_the_ticket(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any, charlie: Any) -> None:
    seed_004()
    ticket = incident(alice, desk["video"])
    with pytest.raises(ValidationError) as info:
        actions.assign(alice, ticket, charlie)
    assert "assignee" in info.value.message_dict
    team = Team.objects.create(name="V-EDU 驻场", lead=alice)
    actions.assign(alice, ticket, bob, team=team)
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.assignee, fresh.team, fresh.version) == (bob, team, 2)


def test_it_lets_the_reporter_confirm_after_the_vendor_resolves(
        seed_004: Any, desk: dict[str, Any], bob: Any, charlie: Any) -> None:
    seed_004()
    ticket = incident(charlie, desk["video"])
    for status in ("acknowledged", "on_site"):
        actions.transition(bob, ticket, status)
    actions.transition(bob, ticket, "restored", fallback_plan="切换到备用录播主机")
    actions.transition(bob, ticket, "resolved")
    with pytest.raises(PermissionDenied):
        actions.transition(charlie, ticket, "closed")
    actions.transition(charlie, ticket, "confirmed", "画面正常")
    actions.transition(bob, ticket, "closed")
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.status, fresh.version, fresh.fallback_plan) == ("closed", 7, "切换到备用录播主机")
    assert list(fresh.events.filter(kind="target_met").values_list("to_value", flat=True)) == [
        "respond", "on_site", "restore", "resolve"]
    assert actions.allowed_next(fresh) == ()


def test_it_gives_a_bug_the_contracts_normal_class(
        seed_004: Any, desk: dict[str, Any], bob: Any) -> None:
    seed_004()
    bug = actions.open_ticket(bob, "bug", "成绩导出错误", "", [desk["exam"]], now=OPENED)
    assert (bug.number, bug.priority, bug.status) == ("BUG-2026-000001", "normal", "new")
    report = clock(bug, "report", at(11))     # analysis and fix plan in 3 working days
    assert (report.state, report.due_at) == ("running", dt.datetime(2026, 3, 13, 10, tzinfo=CST))
    actions.transition(bob, bug, "analysing", now=at(10, 30))
    actions.transition(bob, bug, "fixing", "补丁计划：3月20日", now=at(11))
    assert clock(bug, "report", at(12)).state == "met"


def test_it_shows_a_reporter_in_no_department_his_own_ticket(
        db: Any, make_user: Any, alice: Any) -> None:
    erin = make_user("erin")
    ticket = actions.open_ticket(erin, "incident", "电脑无法开机", "", [], channel="phone")
    assert ticket.contract_version is None
    from careops.servicedesk.scoping import visible
    assert list(visible(erin, Ticket.objects.all())) == [ticket]
    actions.comment(erin, ticket, "在三楼护士站")
    assert list(visible(make_user("frank"), Ticket.objects.all())) == []


def test_it_lets_only_the_hospital_lower_a_priority_and_nobody_change_a_finished_one(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any, charlie: Any) -> None:
    seed_004()
    ticket = incident(charlie, desk["video"])                  # P1: patient safety
    with pytest.raises(PermissionDenied):
        actions.change_priority(bob, ticket, "P3", "其实只影响一台电脑", now=at(10, 5))
    assert Ticket.objects.get(pk=ticket.pk).priority == "P1"
    actions.change_priority(alice, ticket, "P2", "只影响一间手术室", now=at(10, 6))
    actions.change_priority(bob, ticket, "P1", "又影响到第二间", now=at(10, 7))  # raising
    assert Ticket.objects.get(pk=ticket.pk).priority == "P1"
    for status in ("acknowledged", "restored", "resolved"):
        actions.transition(bob, ticket, status, fallback_plan="备用录播主机", now=at(10, 30))
    actions.transition(charlie, ticket, "confirmed", now=at(10, 40))
    actions.transition(alice, ticket, "closed", now=at(10, 41))
    with pytest.raises(ValidationError) as info:
        actions.change_priority(alice, ticket, "P3", "事后复核", now=at(11))
    assert "priority" in info.value.message_dict
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.priority, fresh.status) == ("P1", "closed")
    assert fresh.events.filter(kind="priority").count() == 2


def test_it_orders_a_contracts_levels_most_urgent_first(seed_004: Any) -> None:
    from careops.logic.contract import by_urgency, lowers

    contract = actions.contract_of(seed_004())
    assert by_urgency(contract, "incident") == ("P1", "P2", "P3")
    assert by_urgency(contract, "bug") == ("urgent", "normal")
    assert by_urgency(contract, "request") == ("urgent", "simple", "medium", "complex")
    assert lowers(contract, "bug", "urgent", "normal")
    assert not lowers(contract, "request", "complex", "simple")
    assert not lowers(contract, "incident", "", "P3")      # no level yet: setting one


def test_it_treats_given_facts_that_change_the_priority_as_an_override(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any) -> None:
    seed_004()
    with pytest.raises(ValidationError) as info:
        incident(bob, desk["exam"], facts=Facts(scope="hospital", severity="clinical"))
    assert "reason" in info.value.message_dict
    assert not Ticket.objects.exists()
    # The facts the CMDB gives (two departments: the hospital) need no reason.
    same = incident(bob, desk["exam"], facts=Facts(scope="hospital"))
    assert (same.priority, same.priority_reason) == ("P3", "")
    assert records(same).get().detail["priority_override"] is False
    ticket = incident(bob, desk["exam"], facts=Facts(scope="hospital", severity="clinical"),
                      reason="门诊考核中断")
    assert (ticket.priority, ticket.priority_reason) == ("P1", "门诊考核中断")
    detail = records(ticket).get().detail
    assert detail["priority_override"] is True
    assert detail["facts"]["severity"] == "clinical"
