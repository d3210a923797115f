"""clocks_for_many: the clocks of many tickets with a fixed number of queries, exactly
as clocks_for gives them one ticket at a time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careops.servicedesk import actions
from careops.servicedesk.clocks import clocks_for, clocks_for_many
from careops.servicedesk.models import Ticket
from careops.servicedesk.tests.conftest import PAUSES

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))
OPENED = dt.datetime(2026, 3, 10, 10, 0, tzinfo=CST)  # a Tuesday, in working hours
NOW = dt.datetime(2026, 3, 12, 15, 0, tzinfo=CST)


def minutes(n: int) -> dt.datetime:
    return OPENED + dt.timedelta(minutes=n)


def open_many(user: Any, items: list[Any], count: int, start: int = 0) -> list[Ticket]:
    return [actions.open_ticket(user, "incident", f"故障 {start + n}", "", [items[n % len(items)]],
                                channel="phone", now=minutes(start + n))
            for n in range(count)]


def test_it_gives_the_same_clocks_as_clocks_for_on_a_mix_of_tickets(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any) -> None:
    seed_004()                                     # version 1: no pauses
    first = open_many(alice, [desk["video"], desk["exam"], desk["printer"]], 6)
    # version 2, in force from the opening day: waiting for the hospital pauses
    seed_004(PAUSES, valid_from=OPENED.date())
    second = open_many(alice, [desk["video"], desk["exam"], desk["printer"]], 6, start=6)
    tickets = first + second
    for n, ticket in enumerate(tickets):
        if ticket.contract_version is None:
            continue
        actions.transition(bob, ticket, "acknowledged", now=minutes(30 + n))
        if n % 3 == 0:
            actions.change_priority(alice, ticket, "P2", "仅单个手术间受影响",
                                    now=minutes(40 + n))   # lowering: the hospital decides
        if n % 2 == 0:
            actions.transition(bob, ticket, "waiting_hospital", "等待院方", now=minutes(60 + n))
        if n % 4 == 0:
            actions.transition(bob, ticket, "acknowledged", now=minutes(200 + n))
            actions.transition(bob, ticket, "restored", now=minutes(300 + n))

    fresh = list(Ticket.objects.order_by("pk"))
    many = clocks_for_many(fresh, NOW)
    one = {ticket.pk: clocks_for(ticket, NOW) for ticket in fresh}
    assert many == one
    states = {clock.state for clocks in many.values() for clock in clocks}
    assert {"paused", "met", "breached"} <= states
    assert any(clock.priority == "P2" and ticket.priority == "P2"
               and ticket.events.filter(kind="priority").exists()
               for ticket in fresh for clock in many[ticket.pk])
    assert sum(1 for clocks in many.values() if not clocks) == 4      # the printer's: no SLA
    assert len({t.contract_version_id for t in fresh} - {None}) == 2


def test_it_reads_many_tickets_with_a_constant_number_of_queries(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any) -> None:
    seed_004(PAUSES)
    tickets = open_many(alice, [desk["video"], desk["exam"]], 50)
    for ticket in tickets[::2]:
        actions.transition(bob, ticket, "acknowledged", now=minutes(90))
    counts = []
    for size in (5, 50):
        batch = list(Ticket.objects.order_by("pk")[:size])
        clocks_for_many(batch[:1], NOW)            # the calendar cache of the process, warm
        with CaptureQueriesContext(connection) as queries:
            result = clocks_for_many(batch, NOW)
        assert len(result) == size and all(result.values())
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 4
