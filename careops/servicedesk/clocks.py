"""A ticket's SLA clocks, derived from its timeline each time (nothing stored can drift).

The engine (careops.logic.sla) gets the ticket's ``opened``/``status``/``priority``/
``target_met`` events, the targets of its contract version for its kind and priority
(in-hours or out-of-hours as the opening instant falls on the contract's working
calendar — the engine decides that with ``opened_in_hours``), and the contract's pauses.
A target whose duration names a calendar of its own is timed on that calendar. A ticket
without a contract has no clocks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import cast

from django.utils import timezone

from careops.contracts.sla import calendar_loader, engine_targets
from careops.logic import sla
from careops.logic.contract import targets_for
from careops.servicedesk.actions import contract_of
from careops.servicedesk.models import EventKind, Ticket

ENGINE_KINDS = (EventKind.OPENED, EventKind.STATUS, EventKind.PRIORITY, EventKind.TARGET_MET,
                EventKind.TARGET_WAIVED)


def clocks_for(ticket: Ticket, now: dt.datetime | None = None) -> list[sla.Clock]:
    if ticket.contract_version is None:
        return []
    contract = contract_of(ticket.contract_version)
    load = calendar_loader()
    calendar = load(contract.working_calendar)
    events = [sla.TicketEvent(at, cast(sla.EventKind, kind), value) for at, kind, value in
              ticket.events.filter(kind__in=ENGINE_KINDS).order_by("at", "id")
              .values_list("at", "kind", "to_value")]

    def targets(priority: str, in_hours: bool) -> Sequence[sla.Target]:
        return engine_targets(targets_for(contract, ticket.kind, priority, in_hours), load)

    return sla.compute_clocks(events, targets, calendar, sla.PausePolicy.of(contract.pauses),
                              now or timezone.now())
