"""What follows a status change, called by ``tickets.transition`` inside its transaction.

Each consequence lives with its own module (surveys, escalation, …) and is called from
:func:`after_transition`, so the transition itself stays one readable function.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from careops.servicedesk.actions import surveys
from careops.servicedesk.models import Ticket


def after_transition(actor: Any, ticket: Ticket, source: str, target: str,
                     now: dt.datetime, request: Any = None) -> None:
    """Consequences of ``ticket`` moving from ``source`` to ``target`` (already saved)."""
    if target == "closed" and ticket.closed_at is None:
        Ticket.objects.filter(pk=ticket.pk).update(closed_at=now)
        ticket.closed_at = now
        surveys.send_survey(ticket, now)
