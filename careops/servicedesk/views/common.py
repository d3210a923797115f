"""What the service desk pages share: labels, badge colours and clock rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from careops.logic import sla, ticket_flow
from careops.servicedesk.filtersets import FINISHED
from careops.servicedesk.labels import TARGET_LABELS, state_key, state_label

PRIORITY_COLOURS = {"P1": "red", "P2": "orange", "P3": "yellow", "urgent": "red",
                    "normal": "azure", "complex": "purple", "medium": "azure",
                    "simple": "teal"}
CLOCK_COLOURS = {"pending": "secondary", "running": "blue", "paused": "yellow", "met": "green",
                 "breached": "red", "waived": "secondary"}


def priority_colour(priority: str) -> str:
    return PRIORITY_COLOURS.get(priority, "secondary")


def status_colour(status: str) -> str:
    if status in FINISHED:
        return "secondary"
    if status in ticket_flow.PENDING or status in ("waiting_approval", "scheduled"):
        return "yellow"
    if status in ("new", "submitted", "open"):
        return "blue"
    if status in ("resolved", "confirmed", "implemented"):
        return "green"
    return "azure"


def clock_row(clock: sla.Clock, now: dt.datetime) -> dict[str, Any]:
    """A clock as the page shows it: state, due, share of the time used (0–100)."""
    late = state_key(clock) == "met_late"
    colour = "orange" if late else CLOCK_COLOURS[clock.state]
    if clock.state == "running" and clock.fraction >= 0.9:
        colour = "orange"
    percent = max(0, min(100, round(clock.fraction * 100)))
    return {"name": clock.name, "label": TARGET_LABELS.get(clock.name, clock.name),
            "priority": clock.priority, "state": clock.state,
            "state_label": state_label(clock),
            "colour": colour, "due": clock.due_at, "met_at": clock.met_at,
            "breached_at": clock.breached_at, "percent": percent,
            "overdue": clock.due_at is not None and clock.met_at is None
            and clock.due_at < now, "estimated": clock.estimated,
            "paused": len(clock.paused)}
