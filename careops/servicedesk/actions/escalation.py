"""SLA warnings, escalation, breach records and auto-confirmation (docs/servicedesk.md,
"Escalation" and "Auto-confirmation").

* :func:`check_sla` (every minute) computes the clocks of every open ticket with a
  contract and sends each warning that is due once: an :class:`SlaNotice` row (its
  unique key makes the check idempotent, even with two workers), an internal timeline
  entry and a notification to the people the rule names (:func:`recipients_for`). At a
  breach it also records an :class:`SlaBreach` with the contract's remedy.
* :func:`explain_breach` gives a breach its cause and explanation.
* :func:`auto_confirm` (every ten minutes) confirms and closes resolved tickets the
  reporter neither confirmed nor refused within N working days.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from careops.cmdb.models import Contact
from careops.contracts.sla import CalendarLoader, calendar_loader
from careops.core import audit
from careops.core import calendars as cals
from careops.core.choices import AuditAction, NotificationKind, NotificationSeverity
from careops.core.models.notifications import Channel
from careops.core.notify import queue
from careops.core.roles import Cap, has_cap
from careops.logic import sla
from careops.logic.contract import Contract
from careops.servicedesk import scoping
from careops.servicedesk.actions import lifecycle
from careops.servicedesk.actions.tickets import _bump, _event, _snapshot, contract_of
from careops.servicedesk.clocks import clocks_for, clocks_for_many
from careops.servicedesk.filtersets import FINISHED
from careops.servicedesk.labels import target_in_text
from careops.servicedesk.models import (
    BreachCause,
    EventKind,
    NoticeLevel,
    SlaBreach,
    SlaNotice,
    Ticket,
    TicketEvent,
)

logger = logging.getLogger("careops.servicedesk")

# Open tickets whose clocks are computed together (clocks_for_many), and the errors of
# one ticket's data that must not stop the check of the others.
BATCH = 500
BAD_DATA = (sla.SlaError, cals.CalendarNotFound, ValueError)
# Kinds whose resolution the reporter confirms (a problem closes without it).
CONFIRMED_KINDS = ("incident", "request", "bug")
# Which penalties of a contract a missed target of a ticket kind triggers.
PENALTY_TRIGGERS = {"request": ("request_late", "sla_breach")}
DEFAULT_TRIGGERS = ("sla_breach",)

# --- who is told ----------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    """Someone a warning goes to: a user or a vendor's escalation contact."""

    name: str
    role: str
    email: str = ""
    phone: str = ""
    user_id: int | None = None


@dataclass
class Recipients:
    people: list[Person] = field(default_factory=list)

    def add(self, person: Person) -> None:
        key = (person.user_id, person.email or person.name)
        if all((p.user_id, p.email or p.name) != key for p in self.people):
            self.people.append(person)

    @property
    def emails(self) -> list[str]:
        seen: list[str] = []
        for p in self.people:
            if p.email and p.email not in seen:
                seen.append(p.email)
        return seen

    def describe(self) -> str:
        parts = []
        for p in self.people:
            phone = f" {p.phone}" if p.phone else ""
            parts.append(f"{p.name}（{p.role}{phone}）")
        return "、".join(parts)

    def as_json(self) -> list[dict[str, Any]]:
        return [{"name": p.name, "role": p.role, "email": p.email, "user": p.user_id}
                for p in self.people]


def escalation_level(threshold: float | None, thresholds: Sequence[float]) -> int | None:
    """The highest vendor escalation level told at a crossing: the first threshold level
    1, the second level 2 … (75 % → 1, 90 % → 2 by default); a breach every level (None).
    """
    if threshold is None:
        return None
    ordered = sorted(thresholds)
    return (ordered.index(threshold) + 1) if threshold in ordered else len(ordered)


def recipients_for(ticket: Ticket, level: int | None) -> Recipients:
    """The assignee, the team lead and the contract vendor's escalation contacts up to
    ``level`` (None: all levels)."""
    out = Recipients()
    if ticket.assignee is not None:
        user = ticket.assignee
        out.add(Person(str(user), str(_("assignee")), user.email, user.phone, user.pk))
    if ticket.team is not None and ticket.team.lead is not None:
        lead = ticket.team.lead
        out.add(Person(str(lead), str(_("team lead")), lead.email, lead.phone, lead.pk))
    if ticket.contract_version is not None:
        contacts = Contact.objects.filter(vendor_id=ticket.contract_version.profile.vendor_id)
        if level is not None:
            contacts = contacts.filter(escalation_level__lte=level)
        for c in contacts.order_by("escalation_level", "name"):
            role = _("vendor escalation level %(level)s") % {"level": c.escalation_level}
            out.add(Person(c.name, role, c.email, c.phone))
    return out


def send_to(people: Recipients, *, event: str, title: str, text: str, severity: str,
            link: str, data: dict[str, Any] | None = None,
            channels: Iterable[Channel] | None = None) -> list[Any]:
    """Queue the message on every enabled channel: an email channel mails the named people
    (its own list when none of them has an address); chat bots and webhooks get the
    group message that names them."""
    sent = []
    named = _("To: %(people)s") % {"people": people.describe()} if people.people else ""
    group_text = f"{text}\n\n{named}" if named else text
    targets = Channel.objects.filter(enabled=True) if channels is None else channels
    for channel in targets:
        if not channel.enabled:
            continue
        payload = dict(data or {})
        if channel.kind == NotificationKind.EMAIL:
            if people.emails:
                payload["recipients"] = people.emails
            body = text if people.emails else group_text
        else:
            payload["people"] = people.as_json() if channel.kind == NotificationKind.WEBHOOK \
                else [p.name for p in people.people]
            body = group_text
        sent.append(queue(channel, event=event, title=title, text=body, severity=severity,
                          link=link, data=payload))
    return sent


# --- the periodic check -------------------------------------------------------------------

def _key(notice_target: str, priority: str, level: str, threshold: Decimal) -> str:
    label = "breach" if level == NoticeLevel.BREACH else f"{float(threshold):g}"
    return f"{notice_target}:{priority}:{label}"


def sent_keys(ticket_ids: Iterable[int]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    rows = SlaNotice.objects.filter(ticket_id__in=list(ticket_ids)).values_list(
        "ticket_id", "target", "priority", "level", "threshold")
    for ticket_id, target, priority, level, threshold in rows:
        out.setdefault(ticket_id, set()).add(_key(target, priority, level, threshold))
    return out


# Closed tickets are checked this long after closing: a target missed in the minute
# before the ticket closed, or while the worker was down, still gets its breach record.
CLOSED_LOOKBACK = dt.timedelta(hours=24)


def tickets_to_check(now: dt.datetime) -> Any:
    """The open tickets under a contract and those finished (closed, rejected, verified,
    rolled back) within ``CLOSED_LOOKBACK``: their clocks are stopped, so only a breach
    not yet recorded can come out of them."""
    finished = TicketEvent.objects.filter(
        kind=EventKind.STATUS, to_value__in=FINISHED,
        at__gte=now - CLOSED_LOOKBACK, at__lte=now).values("ticket_id")
    recent = Q(status__in=FINISHED) & Q(pk__in=finished)
    live = Q(closed_at__isnull=True) & ~Q(status__in=FINISHED)
    return (Ticket.objects.filter(contract_version__isnull=False).filter(live | recent)
            .select_related("assignee", "team__lead", "contract_version__profile"))


def check_sla(now: dt.datetime | None = None,
              thresholds: Sequence[float] | None = None) -> list[SlaNotice]:
    """Send every warning and breach notice that is due and not yet sent; returns the
    notices created by this call."""
    now = now or timezone.now()
    fractions = tuple(thresholds if thresholds is not None
                      else settings.CAREOPS_SLA_WARNING_FRACTIONS)
    created: list[SlaNotice] = []
    tickets = list(tickets_to_check(now))
    sent = sent_keys(t.pk for t in tickets)
    calendar = calendar_loader()
    with translation.override(settings.LANGUAGE_CODE):
        for start in range(0, len(tickets), BATCH):
            batch = tickets[start:start + BATCH]
            try:
                clocks: dict[int, list[sla.Clock]] | None = clocks_for_many(batch, now)
            except BAD_DATA:
                clocks = None     # some ticket's data is bad: find it one by one below
            for ticket in batch:
                try:
                    created += check_ticket(ticket, now, fractions, sent.get(ticket.pk, set()),
                                            clocks=clocks[ticket.pk] if clocks else None,
                                            calendar=calendar)
                except BAD_DATA as exc:
                    # one ticket's bad data (a calendar deleted …) must not stop the others
                    logger.warning("SLA check of ticket %s failed: %s", ticket.number, exc)
    return created


def check_ticket(ticket: Ticket, now: dt.datetime, thresholds: Sequence[float],
                 already: Iterable[str] = (), clocks: list[sla.Clock] | None = None,
                 calendar: CalendarLoader | None = None) -> list[SlaNotice]:
    """The warnings of one ticket; ``already``: the keys known to be sent (a stale set
    only costs a refused insert, never a second notice). ``clocks`` (from
    ``clocks_for_many``) and ``calendar`` (a batch's loader) spare the queries of a
    ticket checked among many."""
    contract = contract_of(ticket.contract_version) if ticket.contract_version else None
    if contract is None:
        return []
    if clocks is None:
        clocks = clocks_for(ticket, now)
    working = (calendar or calendar_loader())(contract.working_calendar)
    due = sla.warnings(clocks, working, thresholds, already)
    by_name = {c.name: c for c in clocks}
    out = []
    for warning in due:
        notice = _send_warning(ticket, contract, by_name[warning.clock], warning, thresholds,
                               now)
        if notice is not None:
            out.append(notice)
    return out


def _send_warning(ticket: Ticket, contract: Contract, clock: sla.Clock,
                  warning: sla.Warning, thresholds: Sequence[float],
                  now: dt.datetime) -> SlaNotice | None:
    breach = warning.kind == "breach"
    level = escalation_level(warning.threshold, thresholds)
    people = recipients_for(ticket, level)
    threshold = Decimal("1") if breach else Decimal(str(warning.threshold))
    assert clock.due_at is not None
    with transaction.atomic():
        try:
            with transaction.atomic():
                notice = SlaNotice.objects.create(
                    ticket=ticket, target=clock.name, priority=warning.priority,
                    level=NoticeLevel.BREACH if breach else NoticeLevel.WARNING,
                    threshold=threshold, due_at=clock.due_at, sent_at=now,
                    recipients=people.as_json())
        except IntegrityError:
            return None  # another worker sent it
        target = target_in_text(clock.name)
        due_local = timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M")
        values = {"number": ticket.number, "title": ticket.title, "target": target,
                  "priority": warning.priority, "due": due_local,
                  "percent": round(float(threshold) * 100)}
        if breach:
            remedy = remedy_for(contract, ticket.kind)
            SlaBreach.objects.get_or_create(
                ticket=ticket, target=clock.name, priority=warning.priority,
                defaults={"due_at": clock.due_at, "breached_at": warning.at,
                          "remedy": remedy, "recorded_at": now})
            title = _("%(number)s: the %(target)s target (%(priority)s) was missed") % values
            text = _("Ticket %(number)s “%(title)s”: the %(target)s target of %(priority)s "
                     "was due at %(due)s and was missed.") % values
            if remedy:
                text += "\n" + _("Contract remedy: %(remedy)s") % {"remedy": remedy}
            kind, severity = EventKind.BREACH, NotificationSeverity.CRITICAL
        else:
            title = _("%(number)s: %(percent)s%% of the %(target)s time used") % values
            text = _("Ticket %(number)s “%(title)s”: %(percent)s%% of the time for the "
                     "%(target)s target of %(priority)s is used; it is due at %(due)s.") % values
            kind, severity = EventKind.WARNING, NotificationSeverity.WARNING
        note = text + ("\n" + _("To: %(people)s") % {"people": people.describe()}
                       if people.people else "")
        _event(ticket, None, kind, now, before=warning.priority,
               after=f"{clock.name}:{'breach' if breach else f'{warning.threshold:g}'}",
               note=note, public=False)
        send_to(people, event="ticket.sla_breach" if breach else "ticket.sla_warning",
                title=title, text=text, severity=severity, link=ticket.get_absolute_url(),
                data={"ticket": ticket.number, "target": clock.name,
                      "priority": warning.priority, "threshold": float(threshold)})
    return notice


def remedy_for(contract: Contract, kind: str) -> str:
    """The contract's remedies for a missed target of a ``kind`` ticket, as text."""
    triggers = PENALTY_TRIGGERS.get(kind, DEFAULT_TRIGGERS)
    texts = []
    for penalty in contract.penalties:
        if penalty.on in triggers:
            texts.append(penalty.note or penalty.remedy)
    return "；".join(texts)


# --- explaining a breach ------------------------------------------------------------------

# Causes that relieve the vendor: only the hospital (Cap.APPROVE) may accept them.
RELIEVING = (BreachCause.HOSPITAL, BreachCause.THIRD_PARTY, BreachCause.FORCE_MAJEURE)


def may_explain(actor: Any, breach: SlaBreach) -> bool:
    """Those who work on the ticket: hospital staff and the vendor's engineers."""
    return (has_cap(actor, Cap.CHANGE_OPERATIONS)
            and scoping.can_view(actor, breach.ticket))


def explain_breach(actor: Any, breach: SlaBreach, cause: str, explanation: str,
                   request: HttpRequest | None = None,
                   now: dt.datetime | None = None) -> SlaBreach:
    """Give ``breach`` its cause and explanation. Anyone working on the ticket may explain
    it as the vendor's; a cause that relieves the vendor (hospital, third party, force
    majeure) is the hospital's decision (Cap.APPROVE), and once the hospital decided, only
    the hospital changes it."""
    if not may_explain(actor, breach):
        raise PermissionDenied(_("You may not explain this breach."))
    if cause not in BreachCause.values or cause == BreachCause.UNEXPLAINED:
        raise ValidationError({"cause": [_("Choose the cause of the breach.")]})
    if not explanation.strip():
        raise ValidationError({"explanation": [_("Explain what caused the breach.")]})
    approver = has_cap(actor, Cap.APPROVE)
    if cause in RELIEVING and not approver:
        raise PermissionDenied(_("Only the hospital may attribute a breach to the hospital, a "
                                 "third party or force majeure."))
    if breach.cause in RELIEVING and not approver:
        raise PermissionDenied(_("The hospital has decided this breach's cause."))
    now = now or timezone.now()
    before = audit.snapshot(breach)
    with transaction.atomic():
        breach.cause = cause
        breach.explanation = explanation.strip()
        breach.save(update_fields=["cause", "explanation"])
        label = BreachCause(cause).label
        _event(breach.ticket, actor, EventKind.COMMENT, now,
               note=_("Breach of %(target)s explained: %(cause)s — %(text)s")
               % {"target": target_in_text(breach.target), "cause": label,
                  "text": breach.explanation}, public=False)
        audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=breach,
                     changes=audit.diff(before, audit.snapshot(breach)),
                     detail={"ticket": breach.ticket.number})
    return breach


def visible_breaches(user: Any) -> Any:
    return SlaBreach.objects.filter(
        ticket__in=scoping.visible(user, Ticket.objects.all()))


# --- auto-confirmation --------------------------------------------------------------------

def resolved_at(ticket: Ticket) -> dt.datetime | None:
    at: dt.datetime | None = ticket.events.filter(
        kind=EventKind.STATUS, to_value="resolved").order_by("-at", "-id").values_list(
        "at", flat=True).first()
    return at


def confirm_deadline(ticket: Ticket, resolved: dt.datetime, days: int) -> dt.datetime:
    """``days`` working days after the resolution, on the contract's working calendar
    (the default calendar for a ticket without a contract)."""
    slug = (contract_of(ticket.contract_version).working_calendar
            if ticket.contract_version else None)
    _row, calendar = cals.get_calendar(slug)
    return calendar.add_working_days(resolved, days).value


def auto_confirm(now: dt.datetime | None = None, days: int | None = None) -> list[Ticket]:
    """Confirm and close every resolved ticket whose reporter did not answer within
    ``days`` working days (setting CAREOPS_AUTO_CONFIRM_WORKING_DAYS; 0 turns it off)."""
    now = now or timezone.now()
    days = settings.CAREOPS_AUTO_CONFIRM_WORKING_DAYS if days is None else days
    if days <= 0:
        return []
    done = []
    candidates = Ticket.objects.filter(status="resolved", kind__in=CONFIRMED_KINDS) \
        .select_related("contract_version", "assignee", "reporter")
    with translation.override(settings.LANGUAGE_CODE):
        for ticket in candidates:
            resolved = resolved_at(ticket)
            if resolved is None:
                continue
            try:
                deadline = confirm_deadline(ticket, resolved, days)
            except (cals.CalendarNotFound, ValueError) as exc:
                logger.warning("auto-confirmation of %s: %s", ticket.number, exc)
                continue
            if deadline > now:
                continue
            if _confirm_and_close(ticket, days, deadline, now):
                done.append(ticket)
    return done


def _confirm_and_close(ticket: Ticket, days: int, deadline: dt.datetime,
                       now: dt.datetime) -> bool:
    """Two status changes by nobody (actor None, audit user "system"), in one transaction;
    False when the ticket changed meanwhile (the reporter answered at that moment)."""
    from careops.servicedesk.actions.tickets import ConflictError

    note = _("auto-confirmed: the reporter did not confirm or refuse within %(days)s working "
             "days (deadline %(deadline)s)") % {
        "days": days, "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")}
    try:
        with transaction.atomic():
            for source, target in (("resolved", "confirmed"), ("confirmed", "closed")):
                before = _snapshot(ticket)
                current = Ticket.objects.filter(pk=ticket.pk).values_list(
                    "status", "version").first()
                if current is None or current[0] != source:
                    raise ConflictError(current[1] if current else 0)
                _bump(ticket, current[1], status=target)
                _event(ticket, None, EventKind.STATUS, now, before=source, after=target,
                       note=note if target == "confirmed" else _("closed after auto-"
                                                                  "confirmation"))
                audit.record(AuditAction.UPDATE, obj=ticket, username="system",
                             changes=audit.diff(before, _snapshot(ticket)),
                             detail={"transition": f"{source} → {target}",
                                     "auto_confirm_working_days": days})
                lifecycle.after_transition(None, ticket, source, target, now)
    except ConflictError:
        return False
    return True
