"""Which items are in maintenance at an instant (docs/monitoring-alerts.md).

Two sources, read at evaluation time (nothing is copied): the maintenance windows, and
the windows of approved changes (a change ticket approved, scheduled or being
implemented, whose plan's window runs now, covers the ticket's items). A window on an
item covers everything that runs on or depends on it (the CMDB graph's impact): a
window on a host mutes its databases, services and the systems running on them.
"""

from __future__ import annotations

import datetime as dt

from careops.logic.impact import Graph
from careops.monitoring.models import MaintenanceWindow
from careops.servicedesk.models import ChangePlan, Kind, Ticket

# Change statuses whose window mutes alerts (careops.logic.ticket_flow, "change").
CHANGE_STATUSES = ("approved", "scheduled", "implementing")


def window_items(at: dt.datetime) -> dict[int, str]:
    """The items named by a window running at ``at`` → the reason shown for them."""
    named: dict[int, str] = {}
    windows = (MaintenanceWindow.objects.filter(starts_at__lte=at, ends_at__gt=at)
               .prefetch_related("items"))
    for window in windows:
        for item in window.items.all():
            named.setdefault(item.pk, window.reason)
    plans = ChangePlan.objects.filter(
        window_start__lte=at, window_end__gt=at, ticket__kind=Kind.CHANGE,
        ticket__status__in=CHANGE_STATUSES).values_list("ticket_id", flat=True)
    tickets = Ticket.objects.filter(pk__in=list(plans)).prefetch_related("items")
    for ticket in tickets:
        for item in ticket.items.all():
            named.setdefault(item.pk, ticket.number)
    return named


def covered_items(at: dt.datetime, graph: Graph) -> set[int]:
    """Every item in maintenance at ``at``: those the windows name and all that depend
    on them."""
    covered: set[int] = set()
    for item in window_items(at):
        covered.add(item)
        if item in graph.nodes:
            covered |= graph.impact(item).items
    return covered
