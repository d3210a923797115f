"""TicketFilterSet: the queues and filters the page and the API share."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory

from careops.servicedesk import actions, scoping
from careops.servicedesk.filtersets import TicketFilterSet
from careops.servicedesk.models import Team, Ticket

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def titles(user: Any, **params: Any) -> set[str]:
    request = RequestFactory().get("/")
    request.user = user
    filters = TicketFilterSet(params, queryset=scoping.visible(user, Ticket.objects.all()),
                              request=request)
    assert filters.is_valid(), filters.errors
    return set(filters.qs.values_list("title", flat=True))


def test_it_picks_the_queues(seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any,
                             make_user: Any) -> None:
    seed_004()
    eve = make_user("eve", "vendor_engineer")
    desk["vendor"].engineers.add(eve)
    team = Team.objects.create(name="驻场组", lead=eve)
    team.members.add(bob)
    mine = actions.open_ticket(alice, "incident", "给 bob", "", [desk["video"]], now=T0)
    actions.assign(alice, mine, bob, team=team, now=T0)
    teamwork = actions.open_ticket(alice, "incident", "给 eve", "", [desk["exam"]], now=T0)
    actions.assign(alice, teamwork, eve, team=team, now=T0)
    loose = actions.open_ticket(alice, "incident", "无人", "", [desk["video"]],
                                now=T0 + dt.timedelta(days=1))
    done = actions.open_ticket(alice, "incident", "已关闭", "", [desk["printer"]], now=T0)
    for status in ("acknowledged", "restored", "resolved", "confirmed", "closed"):
        actions.transition(alice, done, status, fallback_plan="x", now=T0)
    assert titles(bob, queue="mine") == {"给 bob"}
    assert titles(bob, queue="team") == {"给 bob", "给 eve"}
    assert titles(eve, queue="team") == {"给 bob", "给 eve"}        # the lead's queue
    assert titles(alice, queue="team") == set()
    assert titles(alice, queue="unassigned") == {"无人"}            # not the closed one
    assert titles(alice, queue="open") == {"给 bob", "给 eve", "无人"}
    assert titles(alice, no_sla="true") == {"已关闭"}
    assert titles(alice, team="驻场组", assignee="eve") == {"给 eve"}
    assert titles(alice, opened_after=(T0 + dt.timedelta(hours=1)).isoformat()) == {"无人"}
    assert titles(alice, opened_before=(T0 + dt.timedelta(hours=1)).isoformat()) == {
        "给 bob", "给 eve", "已关闭"}
    assert titles(alice, q=loose.number) == {"无人"}
    assert titles(alice, system="EXAM-STD") == {"给 eve"}
    assert titles(alice, status=["closed"]) == {"已关闭"}
    assert titles(alice, status=["closed", "new"], kind="incident") == {
        "已关闭", "无人", "给 bob", "给 eve"}


def test_it_narrows_what_the_user_may_see_and_never_widens_it(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any) -> None:
    seed_004()
    actions.open_ticket(alice, "incident", "打印", "", [desk["printer"]], now=T0)
    assert titles(bob, system="PRINT") == set()
    assert titles(bob, no_sla="true") == set()
