"""Clocks of many tickets at once, for the queue page and the compliance section.

The clocks come from ``careops.servicedesk.clocks.clocks_for_many`` (what ``clocks_for``
gives, for a whole list in a constant number of queries). "Breaching soon" reads the
clocks of at most :data:`SOON_CAP` open tickets, the oldest first: a queue is a
worklist, not a report, and computing the clocks of every open ticket on each page
view would not scale (docs/servicedesk.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import QuerySet

from careops.logic import sla
from careops.servicedesk.clocks import clocks_for_many
from careops.servicedesk.filtersets import FINISHED
from careops.servicedesk.models import Ticket

SOON_CAP = 500
SOON_FRACTION = 0.75
LIVE = ("running", "paused")


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
    clocks = clocks_for_many(open_tickets, now)
    urgent = [(worst_fraction(clocks[t.pk]), t.pk) for t in open_tickets]
    return [pk for fraction, pk in sorted(urgent, key=lambda x: (-x[0], x[1]))
            if fraction >= threshold]
