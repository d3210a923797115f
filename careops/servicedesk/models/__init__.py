"""Tickets and their append-only timeline (docs/servicedesk.md)."""

from careops.servicedesk.models.tickets import (
    Channel,
    EventKind,
    Kind,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketQuerySet,
)

__all__ = ["Channel", "EventKind", "Kind", "Ticket", "TicketCounter", "TicketEvent",
           "TicketQuerySet"]
