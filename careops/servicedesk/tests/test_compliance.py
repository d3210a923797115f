"""SLA compliance of a contract so far (careops.servicedesk.compliance) and the batched
clocks it reads (careops.servicedesk.clocks.clocks_for_many), on seed 004's wall-clock P1
targets: respond 15 min, on site 1 h, restore 2 h."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careops.contracts.models import ContractProfile
from careops.servicedesk import actions
from careops.servicedesk.clocks import clocks_for, clocks_for_many
from careops.servicedesk.compliance import compliance
from careops.servicedesk.models import Ticket
from careops.servicedesk.queues import breaching_soon

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))   # a Monday
NOW = T0 + dt.timedelta(hours=5)


@pytest.fixture
def history(seed_004: Any, desk: dict[str, Any], alice: Any) -> dict[str, Ticket]:
    seed_004()

    def incident(title: str, at: dt.datetime) -> Ticket:
        return actions.open_ticket(alice, "incident", title, "", [desk["video"]], now=at)

    fixed = incident("按时响应，恢复超时", T0)
    actions.transition(alice, fixed, "acknowledged", now=T0 + dt.timedelta(minutes=10))
    actions.transition(alice, fixed, "restored", fallback_plan="备用机",
                       now=T0 + dt.timedelta(hours=3))
    ignored = incident("无人处理", T0)
    fresh = incident("刚报", NOW - dt.timedelta(minutes=5))
    actions.open_ticket(alice, "incident", "打印", "", [desk["printer"]], now=T0)  # no SLA
    return {"fixed": fixed, "ignored": ignored, "fresh": fresh}


def test_it_counts_on_time_late_breached_and_running(history: dict[str, Ticket]) -> None:
    rows = {(r.target, r.priority): r for r in compliance(ContractProfile.objects.get(), NOW)}
    respond = rows[("respond", "P1")]
    assert (respond.on_time, respond.late, respond.breached, respond.running) == (1, 0, 1, 1)
    assert respond.percent == 50.0
    restore = rows[("restore", "P1")]
    assert (restore.on_time, restore.late, restore.breached, restore.running) == (0, 1, 1, 1)
    assert restore.percent == 0.0
    on_site = rows[("on_site", "P1")]       # never on site: open and past due for two
    assert (on_site.on_time, on_site.breached, on_site.running) == (0, 2, 1)
    order = [r.target for r in rows.values()]
    assert order.index("respond") < order.index("on_site") < order.index("restore")


def test_it_computes_the_same_clocks_in_a_batch(history: dict[str, Ticket]) -> None:
    tickets = list(Ticket.objects.select_related("contract_version"))
    batch = clocks_for_many(tickets, NOW)
    for ticket in tickets:
        assert batch[ticket.pk] == clocks_for(ticket, NOW), ticket.title
    assert any(batch.values())


def test_it_reads_the_clocks_in_a_constant_number_of_queries(
        history: dict[str, Ticket], desk: dict[str, Any], alice: Any) -> None:
    profile = ContractProfile.objects.get()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            compliance(profile, NOW)
        return len(captured)

    queries()                       # warms the calendar and contract caches
    few = queries()
    for i in range(12):
        actions.open_ticket(alice, "incident", f"批量 {i}", "", [desk["video"]], now=T0)
    assert queries() == few


def test_it_finds_the_tickets_breaching_soon(history: dict[str, Ticket]) -> None:
    soon = breaching_soon(Ticket.objects.all(), NOW)
    assert history["ignored"].pk in soon and history["fixed"].pk in soon   # on site overdue
    assert history["fresh"].pk not in soon          # 5 of 15 minutes: a third
    later = breaching_soon(Ticket.objects.all(), NOW + dt.timedelta(minutes=7))
    assert history["fresh"].pk in later             # 12 of 15 minutes: 80 %
    # cap=1 looks at the oldest open ticket only: "fixed" (opened with "ignored", but first)
    assert breaching_soon(Ticket.objects.all(), NOW, cap=1) == [history["fixed"].pk]


def test_it_shows_the_compliance_on_the_contract_page(
        history: dict[str, Ticket], verified_client: Any, alice: Any, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    response = verified_client(alice).get(reverse("contracts:detail", args=["seed-004-edu"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="sla-compliance"' in body
    assert 'data-target="respond" data-priority="P1"' in body
