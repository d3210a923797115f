"""Clocks of many tickets at once, for the queue page and the compliance section.

:func:`clocks_many` gives what ``careops.servicedesk.clocks.clocks_for`` gives for one
ticket, for a whole list in a constant number of queries (one for the timelines, a few
per working calendar). "Breaching soon" reads the clocks of at most :data:`SOON_CAP`
open tickets, the oldest first: a queue is a worklist, not a report, and computing the
clocks of every open ticket on each page view would not scale (docs/servicedesk.md).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, cast

from django.db.models import QuerySet

from careops.contracts.sla import engine_targets
from careops.core import calendars as cals
from careops.logic import sla
from careops.logic.contract import targets_for
from careops.servicedesk.actions import contract_of
from careops.servicedesk.clocks import ENGINE_KINDS
from careops.servicedesk.filtersets import FINISHED
from careops.servicedesk.models import Ticket, TicketEvent

SOON_CAP = 500
SOON_FRACTION = 0.75
LIVE = ("running", "paused")


def clocks_many(tickets: Sequence[Ticket], now: dt.datetime) -> dict[int, list[sla.Clock]]:
    """Clocks by ticket id; tickets without a contract get an empty list. The tickets
    should come with ``contract_version`` selected."""
    result: dict[int, list[sla.Clock]] = {t.pk: [] for t in tickets}
    covered = [t for t in tickets if t.contract_version_id is not None]
    if not covered:
        return result
    events: dict[int, list[sla.TicketEvent]] = defaultdict(list)
    rows = (TicketEvent.objects.filter(ticket_id__in=[t.pk for t in covered],
                                       kind__in=ENGINE_KINDS)
            .order_by("ticket_id", "at", "id")
            .values_list("ticket_id", "at", "kind", "to_value"))
    for ticket_id, at, kind, value in rows:
        events[ticket_id].append(sla.TicketEvent(at, cast(sla.EventKind, kind), value))
    calendars: dict[str, Any] = {}
    for ticket in covered:
        assert ticket.contract_version is not None
        contract = contract_of(ticket.contract_version)
        slug = contract.working_calendar
        if slug not in calendars:
            calendars[slug] = cals.get_calendar(slug)[1]

        def targets(priority: str, in_hours: bool, ticket: Ticket = ticket,
                    contract: Any = contract) -> Sequence[sla.Target]:
            return engine_targets(targets_for(contract, ticket.kind, priority, in_hours))

        result[ticket.pk] = sla.compute_clocks(
            events[ticket.pk], targets, calendars[slug], sla.PausePolicy.of(contract.pauses),
            now)
    return result


def next_due(clocks: Sequence[sla.Clock]) -> sla.Clock | None:
    """The running clock due first (paused clocks have no fixed due)."""
    running = [c for c in clocks if c.state == "running" and c.due_at is not None]
    return min(running, key=lambda c: c.due_at or dt.datetime.max) if running else None


def unmet(clock: sla.Clock) -> bool:
    """Still counting: running, paused, or breached and not met yet."""
    return clock.state in LIVE or (clock.state == "breached" and clock.met_at is None)


def worst_fraction(clocks: Sequence[sla.Clock]) -> float:
    return max((c.fraction for c in clocks if unmet(c)), default=0.0)


def breaching_soon(visible: QuerySet[Ticket], now: dt.datetime,
                   threshold: float = SOON_FRACTION, cap: int = SOON_CAP) -> list[int]:
    """Ids of open tickets (of ``visible``) with an unmet clock (running, paused or
    already breached) at or over ``threshold`` of its time, the most urgent first.
    Looks at ``cap`` open tickets, the oldest first."""
    open_tickets = list(visible.exclude(status__in=FINISHED)
                        .filter(contract_version__isnull=False)
                        .select_related("contract_version")
                        .order_by("opened_at", "id")[:cap])
    clocks = clocks_many(open_tickets, now)
    urgent = [(worst_fraction(clocks[t.pk]), t.pk) for t in open_tickets]
    return [pk for fraction, pk in sorted(urgent, key=lambda x: (-x[0], x[1]))
            if fraction >= threshold]
