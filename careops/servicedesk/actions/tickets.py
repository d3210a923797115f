"""Every change to a ticket goes through here: audited, written to the timeline.

* :func:`open_ticket` finds the contract from the affected items and classifies the
  priority by the contract's rules (docs/servicedesk.md, "Contract and priority");
* :func:`transition` moves the status along careops.logic.ticket_flow;
* :func:`change_priority`, :func:`assign`, :func:`comment`.

Changes that take ``expected_version`` apply only if the ticket still has that
version: one conditional UPDATE (``WHERE version = expected``), so of two engineers
acting at once the second gets :class:`ConflictError` and nothing is lost.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from careops.cmdb.graph import impact_of
from careops.cmdb.models import BusinessSystem, ConfigItem
from careops.contracts.models import ContractProfile, ContractStatus, ContractVersion
from careops.core import access, audit
from careops.core.choices import AuditAction
from careops.core.roles import Cap, has_cap
from careops.logic import ticket_flow
from careops.logic.contract import Contract, Facts, classify, levels_of, parse_contract
from careops.logic.ticket_flow import TransitionError
from careops.servicedesk import scoping
from careops.servicedesk.actions import lifecycle
from careops.servicedesk.models import Channel, EventKind, Kind, Team, Ticket, TicketCounter
from careops.servicedesk.models import TicketEvent as Event
from careops.servicedesk.models.tickets import PREFIXES

__all__ = ["ConflictError", "TransitionError", "assign", "change_priority", "comment",
           "open_ticket", "transition"]


class ConflictError(Exception):
    """The ticket changed since the caller read it; ``current`` is its version now."""

    def __init__(self, current: int) -> None:
        self.current = current
        super().__init__(f"the ticket was changed meanwhile (now version {current})")


@functools.lru_cache(maxsize=128)
def _parsed(yaml_text: str) -> Contract:
    return parse_contract(yaml_text)


def contract_of(version: ContractVersion) -> Contract:
    """The parsed contract of a version (cached by its text: versions never change)."""
    return _parsed(version.yaml_text)


def _snapshot(ticket: Ticket) -> dict[str, Any]:
    data = audit.snapshot(ticket)
    data["items"] = sorted(ticket.items.values_list("code", flat=True))
    return data


def _event(ticket: Ticket, actor: Any, kind: str, at: dt.datetime, *, before: str = "",
           after: str = "", note: str = "", public: bool = True) -> Event:
    return Event.objects.create(ticket=ticket, actor=actor, kind=kind, at=at,
                                from_value=before, to_value=after, note=note, public=public)


def _number(kind: str, year: int) -> str:
    prefix = PREFIXES[Kind(kind)]
    counter, _created = TicketCounter.objects.select_for_update().get_or_create(
        prefix=prefix, year=year)
    TicketCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db()
    return f"{prefix}-{year}-{counter.last:06d}"


# --- opening ---------------------------------------------------------------------------

def affected_systems(items: Iterable[ConfigItem]) -> tuple[set[int], set[int], bool]:
    """(system ids, department ids, patient safety) of everything the items' failure hits."""
    systems: set[int] = set()
    departments: set[int] = set()
    safety = False
    for item in items:
        impact = impact_of(item)
        systems |= impact.systems
        departments |= impact.departments
        safety = safety or impact.patient_safety
    return systems, departments, safety


def covering_version(system_ids: set[int]) -> ContractVersion | None:
    """The current version of the active contract covering most of the systems (ties:
    the lowest code); None when no contract covers any of them."""
    if not system_ids:
        return None
    best: tuple[int, str] | None = None
    chosen: ContractProfile | None = None
    profiles = (ContractProfile.objects.filter(status=ContractStatus.ACTIVE,
                                               systems__in=sorted(system_ids))
                .distinct().prefetch_related("systems"))
    for profile in profiles:
        overlap = len({s.pk for s in profile.systems.all()} & system_ids)
        key = (-overlap, profile.code)
        if best is None or key < best:
            best, chosen = key, profile
    return chosen.current_version if chosen else None


def derived_facts(departments: set[int], patient_safety: bool) -> Facts:
    """What the CMDB tells about an incident: its scope by the number of departments the
    affected systems serve (none: one person; one: a department; more: the hospital) and
    patient safety when an affected system is marked so."""
    scope = "individual" if not departments else ("department" if len(departments) == 1
                                                  else "hospital")
    if patient_safety:
        return Facts(scope=scope, severity="patient_safety")
    return Facts(scope=scope)


def _default_level(contract: Contract, kind: str, facts: Facts) -> str:
    """An incident's priority by the contract's rules; a bug's ordinary class. A request's
    complexity tier is a judgement of the service desk: it must be given."""
    if kind == Kind.INCIDENT:
        return classify(contract, facts)
    levels = levels_of(contract, kind)
    if kind == Kind.BUG and "normal" in levels:
        return "normal"
    if kind == Kind.REQUEST and contract.requests and contract.requests.tiers:
        raise ValidationError({"priority": [
            _("Choose the request's complexity tier: %(levels)s.")
            % {"levels": ", ".join(t.name for t in contract.requests.tiers)}]})
    return levels[0] if levels else ""


def _check_level(contract: Contract | None, kind: str, priority: str) -> None:
    if contract is None:
        return
    levels = levels_of(contract, kind)
    if levels and priority not in levels:
        raise ValidationError({"priority": [
            _("“%(priority)s” is not a level of this contract for this kind (it has: "
              "%(levels)s).") % {"priority": priority, "levels": ", ".join(levels)}]})


def open_ticket(actor: Any, kind: str, title: str, description: str,
                items: Iterable[ConfigItem], channel: str = Channel.WEB,
                facts: Facts | None = None, priority: str | None = None, reason: str = "",
                effort_person_days: Decimal | None = None,
                request: HttpRequest | None = None, now: dt.datetime | None = None,
                reporter: Any | None = None) -> Ticket:
    """Open a ticket on ``items``; the contract and priority follow from them.
    ``reporter``: who reported it when the service desk enters it for someone (a phone
    call); by default the actor."""
    if not has_cap(actor, Cap.VIEW_OPERATIONS):
        raise PermissionDenied(_("You may not open tickets."))
    reporter = reporter or actor
    if reporter.pk != actor.pk:
        if not has_cap(actor, Cap.CHANGE_OPERATIONS):
            raise PermissionDenied(_("Only the service desk opens tickets for others."))
        if not has_cap(reporter, Cap.VIEW_OPERATIONS):
            raise ValidationError({"reporter": [
                _("%(user)s may not report tickets.") % {"user": reporter.get_username()}]})
    if kind not in Kind.values:
        raise ValidationError({"kind": [_("Unknown ticket kind.")]})
    if channel not in Channel.values:
        raise ValidationError({"channel": [_("Unknown channel.")]})
    if not title.strip():
        raise ValidationError({"title": [_("A ticket needs a title.")]})
    items = list(items)
    visible = set(access.scope(actor, ConfigItem.objects.filter(pk__in=[i.pk for i in items]))
                  .values_list("pk", flat=True))
    hidden = [i.code for i in items if i.pk not in visible]
    if hidden:
        raise ValidationError({"items": [_("You may not report on: %(codes)s.")
                                         % {"codes": ", ".join(hidden)}]})
    if priority and kind == Kind.INCIDENT and not reason.strip():
        raise ValidationError({"reason": [
            _("Setting an incident's priority by hand needs a reason.")]})
    system_ids, departments, safety = affected_systems(items)
    version = covering_version(system_ids)
    contract = contract_of(version) if version else None
    if priority:
        _check_level(contract, kind, priority)
        level = priority
    else:
        chosen = facts or derived_facts(departments, safety)
        level = _default_level(contract, kind, chosen) if contract else ""
        reason = ""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.create(
            number=_number(kind, timezone.localtime(now).year), kind=kind, title=title.strip(),
            description=description, reporter=reporter, channel=channel,
            contract_version=version, priority=level, priority_reason=reason.strip(),
            status=ticket_flow.INITIAL[kind], opened_at=now,
            effort_person_days=effort_person_days)
        ticket.items.set(items)
        ticket.systems.set(BusinessSystem.objects.filter(pk__in=sorted(system_ids)))
        _event(ticket, actor, EventKind.OPENED, now, after=level, note=reason.strip())
        audit.record(AuditAction.CREATE, actor=actor, request=request, obj=ticket,
                     changes=audit.diff(None, _snapshot(ticket)),
                     detail={"contract_version": str(version) if version else None,
                             "reporter": reporter.get_username(),
                             "priority_override": bool(priority and kind == Kind.INCIDENT)})
    return ticket


# --- working a ticket ------------------------------------------------------------------

def may_work(actor: Any, ticket: Ticket) -> bool:
    return has_cap(actor, Cap.CHANGE_OPERATIONS) and scoping.can_view(actor, ticket)


def _require_work(actor: Any, ticket: Ticket) -> None:
    if not may_work(actor, ticket):
        raise PermissionDenied(_("You may not work on this ticket."))


def _bump(ticket: Ticket, expected_version: int | None, **changes: Any) -> None:
    """Apply ``changes`` only if the ticket still has ``expected_version`` (or, without
    one, the version it was read with): one conditional UPDATE, never read-modify-write."""
    expected = ticket.version if expected_version is None else expected_version
    done = Ticket.objects.filter(pk=ticket.pk, version=expected).update(
        version=F("version") + 1, **changes)
    if not done:
        current = Ticket.objects.filter(pk=ticket.pk).values_list("version", flat=True).first()
        raise ConflictError(current or 0)
    for name, value in changes.items():
        setattr(ticket, name, value)
    ticket.version = expected + 1


def left_status(ticket: Ticket) -> str | None:
    """For a pending ticket, the working status it was in before it started waiting."""
    rows = ticket.events.filter(kind=EventKind.STATUS).order_by("-at", "-id")
    for before in rows.values_list("from_value", flat=True):
        if before not in ticket_flow.PENDING:
            return before
    return None


def needs_approval(ticket: Ticket) -> bool:
    """A request whose estimated effort is over the contract's included effort."""
    if ticket.kind != Kind.REQUEST or ticket.effort_person_days is None \
            or ticket.contract_version is None:
        return False
    requests = contract_of(ticket.contract_version).requests
    included = requests.included_effort_person_days if requests else None
    return included is not None and ticket.effort_person_days > Decimal(str(included))


def allowed_next(ticket: Ticket) -> tuple[str, ...]:
    left = left_status(ticket) if ticket.status in ticket_flow.PENDING else None
    return ticket_flow.allowed(ticket.kind, ticket.status, left, needs_approval(ticket))


def transition(actor: Any, ticket: Ticket, to_status: str, note: str = "",
               expected_version: int | None = None, fallback_plan: str = "",
               request: HttpRequest | None = None, now: dt.datetime | None = None) -> Ticket:
    """Move ``ticket`` to ``to_status``. TransitionError (with the allowed statuses) when
    the flow forbids it; ConflictError when the ticket changed since ``expected_version``."""
    confirming = to_status == "confirmed" and actor.pk == ticket.reporter_id
    if not confirming:
        _require_work(actor, ticket)
    options = allowed_next(ticket)
    if to_status not in options:
        raise TransitionError(ticket.kind, ticket.status, to_status, options)
    if ticket_flow.needs_approver(ticket.kind, to_status):
        if not has_cap(actor, Cap.APPROVE):
            raise PermissionDenied(_("Only the hospital may approve or reject."))
        if actor.pk == ticket.reporter_id:
            raise PermissionDenied(_("Nobody may approve what they applied for."))
    now = now or timezone.now()
    before = _snapshot(ticket)
    source = ticket.status
    changes: dict[str, Any] = {"status": to_status}
    if fallback_plan.strip():
        changes["fallback_plan"] = fallback_plan.strip()
    with transaction.atomic():
        _bump(ticket, expected_version, **changes)
        _event(ticket, actor, EventKind.STATUS, now, before=source, after=to_status, note=note)
        met = set(ticket.events.filter(kind=EventKind.TARGET_MET)
                  .values_list("to_value", flat=True))
        for target in ticket_flow.meets(ticket.kind, to_status):
            if target not in met:
                _event(ticket, actor, EventKind.TARGET_MET, now, after=target)
        audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=ticket,
                     changes=audit.diff(before, _snapshot(ticket)),
                     detail={"transition": f"{source} → {to_status}"})
        lifecycle.after_transition(actor, ticket, source, to_status, now, request=request)
    return ticket


def change_priority(actor: Any, ticket: Ticket, priority: str, reason: str,
                    expected_version: int | None = None, request: HttpRequest | None = None,
                    now: dt.datetime | None = None) -> Ticket:
    """Set the priority by hand (a reason is required); the clocks follow the new one."""
    _require_work(actor, ticket)
    if not reason.strip():
        raise ValidationError({"reason": [_("Changing the priority needs a reason.")]})
    contract = contract_of(ticket.contract_version) if ticket.contract_version else None
    _check_level(contract, ticket.kind, priority)
    if priority == ticket.priority:
        raise ValidationError({"priority": [_("The ticket already has this priority.")]})
    now = now or timezone.now()
    before = _snapshot(ticket)
    old = ticket.priority
    with transaction.atomic():
        _bump(ticket, expected_version, priority=priority, priority_reason=reason.strip())
        _event(ticket, actor, EventKind.PRIORITY, now, before=old, after=priority,
               note=reason.strip())
        audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=ticket,
                     changes=audit.diff(before, _snapshot(ticket)), detail={"reason": reason})
    return ticket


def assign(actor: Any, ticket: Ticket, user: Any | None, team: Team | str | None = "",
           expected_version: int | None = None, request: HttpRequest | None = None,
           now: dt.datetime | None = None) -> Ticket:
    """Give the ticket to ``user`` (None: unassigned), who must be able to work on it, and
    to ``team`` (None: no team; left out: unchanged)."""
    _require_work(actor, ticket)
    if user is not None and not may_work(user, ticket):
        raise ValidationError({"assignee": [_("%(user)s may not work on this ticket.")
                                            % {"user": user.get_username()}]})
    now = now or timezone.now()
    before = _snapshot(ticket)
    old = ticket.assignee.get_username() if ticket.assignee else ""
    changes: dict[str, Any] = {"assignee": user}
    if team != "":   # "" leaves the team as it is; None clears it
        changes["team"] = team
    with transaction.atomic():
        _bump(ticket, expected_version, **changes)
        _event(ticket, actor, EventKind.ASSIGN, now, before=old,
               after=user.get_username() if user else "",
               note=ticket.team.name if ticket.team else "")
        audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=ticket,
                     changes=audit.diff(before, _snapshot(ticket)))
    return ticket


def comment(actor: Any, ticket: Ticket, text: str, public: bool = True,
            request: HttpRequest | None = None, now: dt.datetime | None = None) -> Event:
    """Add a comment. The reporter comments publicly; internal notes need working rights."""
    if not text.strip():
        raise ValidationError({"text": [_("A comment needs text.")]})
    works = may_work(actor, ticket)
    if not works and not scoping.can_view(actor, ticket):
        raise PermissionDenied(_("You may not comment on this ticket."))
    if not public and not works:
        raise PermissionDenied(_("Only those working on the ticket may add internal notes."))
    now = now or timezone.now()
    with transaction.atomic():
        event = _event(ticket, actor, EventKind.COMMENT, now, note=text.strip(), public=public)
        audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=ticket,
                     detail={"comment": event.pk, "public": public})
    return event
