"""How SLA targets and clock states are named to people: one place for the pages, the
documents, the contract page and the escalation messages (so a clock reads the same
in the ticket page and in the signed record)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

TARGET_LABELS: dict[str, Any] = {
    "respond": _("Respond"), "on_site": _("On site"), "restore": _("Restore"),
    "resolve": _("Resolve"), "report": _("Report"),
}
# The same names inside a sentence ("the respond target of P1 was missed"): English
# needs them lower-case there, so they are msgids of their own (Chinese reads the same).
TARGET_NOUNS: dict[str, Any] = {
    "respond": _("respond"), "on_site": _("on site"), "restore": _("restore"),
    "resolve": _("resolve"), "report": _("report"),
}
CLOCK_STATES: dict[str, Any] = {
    "pending": pgettext_lazy("SLA clock", "Not started"),
    "running": pgettext_lazy("SLA clock", "Running"),
    "paused": pgettext_lazy("SLA clock", "Paused"),
    "met": pgettext_lazy("SLA clock", "Met"),
    "met_late": pgettext_lazy("SLA clock", "Met late"),
    "breached": pgettext_lazy("SLA clock", "Breached"),
    "waived": pgettext_lazy("SLA clock", "Not needed"),
}


def target_label(name: str) -> str:
    return str(TARGET_LABELS.get(name, name))


def target_in_text(name: str) -> str:
    """A target's name for the middle of a sentence, in the active language."""
    return str(TARGET_NOUNS.get(name, name))


def state_key(clock: Any) -> str:
    """The clock's state, with "met late" told apart from a breach still open."""
    if clock.state == "breached" and clock.met_at is not None:
        return "met_late"
    return str(clock.state)


# How a clock counts in compliance figures (the contract page, the monthly list).
ON_TIME, LATE, BREACHED, RUNNING = "on_time", "late", "breached", "running"


def outcome(clock: Any) -> str | None:
    """One classifier of clock outcomes for every figure: ``on_time`` (met by its due),
    ``late`` (met after it), ``breached`` (past its due, still not met), ``running`` (not
    met, not yet due: running or paused), or None for a clock that does not count — not
    started (``pending``) or declared not needed (``waived``)."""
    if clock.state in ("pending", "waived"):
        return None
    if clock.state == "met":
        return ON_TIME
    if clock.state == "breached":
        return LATE if clock.met_at is not None else BREACHED
    return RUNNING


def state_label(clock: Any) -> str:
    return str(CLOCK_STATES[state_key(clock)])


def stale_message(current: int) -> str:
    """The API's 409 ``conflict``: the ticket changed since the caller read it."""
    return _("The ticket was changed meanwhile (it is now at version %(version)s). Nothing "
             "was saved: read it again and retry.") % {"version": current}


def illegal_transition_message(source: str, target: str, allowed: Iterable[str]) -> str:
    """A move the flow forbids, with the statuses possible now (their labels)."""
    from careops.servicedesk.models.tickets import STATUS_LABELS

    return _("“%(status)s” cannot follow “%(current)s”. Possible now: %(allowed)s.") % {
        "status": STATUS_LABELS.get(target, target),
        "current": STATUS_LABELS.get(source, source),
        "allowed": ", ".join(str(STATUS_LABELS.get(s, s)) for s in allowed) or "—"}
