"""Notifications of ticket events through the foundation's channels (careops.core.notify).

Texts are composed in the platform's configured language (the people in the group
chat read that, not the language of whoever clicked), queued inside the action's
transaction and sent by the worker after it commits.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from careops.core.choices import NotificationSeverity
from careops.core.notify import notify
from careops.servicedesk.models import Ticket


def severity_of(ticket: Ticket) -> str:
    """Critical for the most urgent level of the contract (P1, urgent), warning for the
    next, information otherwise and without a contract."""
    level = ticket.priority.upper()
    if level in ("P1", "URGENT"):
        return NotificationSeverity.CRITICAL
    if level == "P2":
        return NotificationSeverity.WARNING
    return NotificationSeverity.INFO


def _systems(ticket: Ticket) -> str:
    return "、".join(s.name for s in ticket.systems.all()) or "-"


def opened(ticket: Ticket) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("New %(kind)s %(number)s [%(priority)s]: %(title)s") % {
            "kind": ticket.get_kind_display(), "number": ticket.number,
            "priority": ticket.priority or "-", "title": ticket.title}
        lines = [
            _("Systems: %(systems)s") % {"systems": _systems(ticket)},
            _("Reported by %(user)s through %(channel)s at %(at)s") % {
                "user": ticket.reporter.get_username(), "channel": ticket.get_channel_display(),
                "at": timezone.localtime(ticket.opened_at).strftime("%Y-%m-%d %H:%M")},
            (_("Contract: %(contract)s") % {"contract": ticket.contract_version}
             if ticket.contract_version else _("No contract covers these items: no SLA.")),
        ]
    notify("ticket.opened", title, "\n".join(lines), severity=severity_of(ticket),
           link=ticket.get_absolute_url(), data={"ticket": ticket.number})


def assigned(ticket: Ticket, user: Any | None) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        if user is None:
            title = _("%(number)s is unassigned") % {"number": ticket.number}
        else:
            title = _("%(number)s assigned to %(user)s") % {
                "number": ticket.number, "user": user.get_username()}
        text = _("%(title)s — team: %(team)s") % {
            "title": ticket.title, "team": ticket.team.name if ticket.team else "-"}
    notify("ticket.assigned", title, text, severity=severity_of(ticket),
           link=ticket.get_absolute_url(), data={"ticket": ticket.number,
                                            "assignee": user.get_username() if user else ""})
