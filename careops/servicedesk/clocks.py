"""A ticket's SLA clocks, derived from its timeline each time (nothing stored can drift).

The engine (careops.logic.sla) gets the ticket's ``opened``/``status``/``priority``/
``target_met`` events, the targets of its contract version for its kind and priority
(in-hours or out-of-hours as the opening instant falls on the contract's working
calendar — the engine decides that with ``opened_in_hours``), and the contract's pauses.
A target whose duration names a calendar of its own is timed on that calendar. A ticket
without a contract has no clocks.

``clocks_for`` computes one ticket's clocks; ``clocks_for_many`` those of many tickets
with a fixed number of queries (a periodic recompute, a queue page). Both hand the
events and the ticket's fields to ``_clocks``, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.utils import timezone

from careops.contracts.models import ContractVersion
from careops.contracts.sla import CalendarLoader, calendar_loader, engine_targets
from careops.logic import sla
from careops.logic.contract import Contract, targets_for
from careops.servicedesk.actions import contract_of
from careops.servicedesk.models import EventKind, Ticket, TicketEvent

ENGINE_KINDS = (EventKind.OPENED, EventKind.STATUS, EventKind.PRIORITY, EventKind.TARGET_MET,
                EventKind.TARGET_WAIVED)
# Tickets whose events are read in one query by clocks_for_many.
CHUNK = 1000

EventRow = tuple[dt.datetime, str, str]  # (at, kind, to_value), in (at, id) order


def _clocks(kind: str, contract: Contract, rows: Iterable[EventRow], now: dt.datetime,
            calendar: CalendarLoader) -> list[sla.Clock]:
    """The clocks of a ticket of ``kind`` under ``contract`` from its engine events.

    ``calendar`` gives a working-time calendar by its code (cached for one call or batch);
    targets with a calendar of their own are timed on it."""
    events = [sla.TicketEvent(at, cast(sla.EventKind, event_kind), value)
              for at, event_kind, value in rows]

    def targets(priority: str, in_hours: bool) -> Sequence[sla.Target]:
        return engine_targets(targets_for(contract, kind, priority, in_hours), calendar)

    return sla.compute_clocks(events, targets, calendar(contract.working_calendar),
                              sla.PausePolicy.of(contract.pauses), now)


def clocks_for(ticket: Ticket, now: dt.datetime | None = None) -> list[sla.Clock]:
    if ticket.contract_version is None:
        return []
    rows = (ticket.events.filter(kind__in=ENGINE_KINDS).order_by("at", "id")
            .values_list("at", "kind", "to_value"))
    return _clocks(ticket.kind, contract_of(ticket.contract_version), rows,
                   now or timezone.now(), calendar_loader())


def clocks_for_many(tickets: Iterable[Ticket], now: dt.datetime | None = None
                    ) -> dict[int, list[sla.Clock]]:
    """The clocks of every ticket, by its id, exactly as ``clocks_for`` gives them.

    Queries: the contract versions not already loaded on the tickets (one), the events
    (one per CHUNK tickets, ``values_list``), and each calendar used once (its row and
    the holiday data stamp). Each contract version's text is parsed once."""
    now = now or timezone.now()
    tickets = list(tickets)
    out: dict[int, list[sla.Clock]] = {ticket.pk: [] for ticket in tickets}
    timed = [(t, t.contract_version_id) for t in tickets if t.contract_version_id is not None]
    if not timed:
        return out
    versions: dict[int, ContractVersion] = {}
    for ticket, version_id in timed:
        if Ticket.contract_version.is_cached(ticket) and ticket.contract_version:
            versions[version_id] = ticket.contract_version
    missing = {version_id for _ticket, version_id in timed} - set(versions)
    versions.update(ContractVersion.objects.in_bulk(missing))
    contracts = {pk: contract_of(version) for pk, version in versions.items()}
    calendar = calendar_loader()

    for start in range(0, len(timed), CHUNK):
        chunk = timed[start:start + CHUNK]
        rows: dict[int, list[EventRow]] = {ticket.pk: [] for ticket, _id in chunk}
        query: Any = (TicketEvent.objects.filter(ticket__in=[t.pk for t, _id in chunk],
                                                 kind__in=ENGINE_KINDS)
                      .order_by("ticket_id", "at", "id")
                      .values_list("ticket_id", "at", "kind", "to_value"))
        for ticket_id, at, kind, value in query:
            rows[ticket_id].append((at, kind, value))
        for ticket, version_id in chunk:
            out[ticket.pk] = _clocks(ticket.kind, contracts[version_id],
                                     rows[ticket.pk], now, calendar)
    return out
