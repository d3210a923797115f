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

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from careops.cmdb.graph import impact_of
from careops.cmdb.models import BusinessSystem, ConfigItem
from careops.contracts.models import ContractProfile, ContractStatus, ContractVersion
from careops.core import access, audit
from careops.core.choices import AuditAction, Role
from careops.core.roles import Cap, has_cap
from careops.logic import ticket_flow
from careops.logic.contract import (
    Contract,
    Facts,
    classify,
    levels_of,
    lowers,
    parse_contract,
)
from careops.logic.ticket_flow import TransitionError
from careops.servicedesk import scoping
from careops.servicedesk.actions import lifecycle, notices
from careops.servicedesk.models import (
    AnalysisReport,
    ChangePlan,
    Channel,
    EventKind,
    Kind,
    RiskLevel,
    Team,
    Ticket,
    TicketCounter,
)
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


def version_in_force(profile: ContractProfile, day: dt.date) -> ContractVersion | None:
    """The version of ``profile`` that applies on ``day``: the newest valid from that day
    or earlier (a ticket older than every version takes the first one), and only if the
    day falls in the contract's service period."""
    versions = sorted(profile.versions.all(), key=lambda v: v.number, reverse=True)
    chosen = next((v for v in versions if v.valid_from <= day), None)
    if chosen is None and versions:
        chosen = versions[-1]
    if chosen is None:
        return None
    period = contract_of(chosen).period
    return chosen if period.start <= day <= period.end else None


def covering_version(system_ids: set[int],
                     at: dt.datetime | None = None) -> ContractVersion | None:
    """The version in force at ``at`` of the active contract covering most of the systems
    (ties: the lowest code); None when no contract in its service period covers any."""
    if not system_ids:
        return None
    day = timezone.localdate(at or timezone.now())
    best: tuple[int, str] | None = None
    chosen: ContractVersion | None = None
    profiles = (ContractProfile.objects.filter(status=ContractStatus.ACTIVE,
                                               systems__in=sorted(system_ids))
                .distinct().prefetch_related("systems", "versions"))
    for profile in profiles:
        version = version_in_force(profile, day)
        if version is None:
            continue
        overlap = len({s.pk for s in profile.systems.all()} & system_ids)
        key = (-overlap, profile.code)
        if best is None or key < best:
            best, chosen = key, version
    return chosen


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


def _unknown_items(codes: Iterable[str]) -> str:
    # One answer for a code that does not exist and one the user may not see: the
    # difference would tell an outsider which items exist (enumeration).
    return _("Unknown or not yours: %(codes)s.") % {"codes": ", ".join(codes)}


def items_by_code(actor: Any, codes: Iterable[str]) -> list[ConfigItem]:
    """The configuration items of ``codes`` (in that order, once each) that ``actor`` may
    see; ValidationError on ``items`` naming every other code, unknown or not."""
    wanted = list(dict.fromkeys(codes))
    found = {item.code: item for item in access.scope(
        actor, ConfigItem.objects.filter(code__in=wanted))}
    missing = [code for code in wanted if code not in found]
    if missing:
        raise ValidationError({"items": [_unknown_items(missing)]})
    return [found[code] for code in wanted]


# Whom the service desk may name as a ticket's reporter: those the hospital speaks for
# (its staff and the departments), never a vendor's engineer or an auditor.
REPORTER_ROLES = frozenset({Role.HOSPITAL_ADMIN, Role.IT_ENGINEER, Role.DEPARTMENT_USER})


def may_report_for(user: Any) -> bool:
    """Whether ``user`` may be named as the reporter of a ticket someone else enters."""
    return bool(user.is_active and user.role in REPORTER_ROLES
                and has_cap(user, Cap.VIEW_OPERATIONS))


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
        if not may_report_for(reporter):
            raise ValidationError({"reporter": [
                _("%(user)s may not be named as reporter: only the hospital's staff and "
                  "department users report tickets.") % {"user": reporter.get_username()}]})
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
        raise ValidationError({"items": [_unknown_items(hidden)]})
    if priority and kind == Kind.INCIDENT and not reason.strip():
        raise ValidationError({"reason": [
            _("Setting an incident's priority by hand needs a reason.")]})
    now = now or timezone.now()
    system_ids, departments, safety = affected_systems(items)
    version = covering_version(system_ids, now)
    contract = contract_of(version) if version else None
    override = bool(priority and kind == Kind.INCIDENT)
    if priority:
        _check_level(contract, kind, priority)
        level = priority
    else:
        derived = derived_facts(departments, safety)
        level = _default_level(contract, kind, facts or derived) if contract else ""
        # Facts the caller gives that classify differently from the CMDB's are a
        # judgement like a priority set by hand: they need a reason and are audited.
        expected = (_default_level(contract, kind, derived)
                    if facts is not None and contract is not None and kind == Kind.INCIDENT
                    else level)
        override = level != expected
        if override and not reason.strip():
            raise ValidationError({"reason": [
                _("The facts given make this incident %(given)s where the affected items "
                  "make it %(derived)s: say why.") % {"given": level, "derived": expected}]})
        if not override:
            reason = ""
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
                             "priority_override": override,
                             **({"facts": dataclasses.asdict(facts)} if facts else {})})
        notices.opened(ticket)
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


def hospital_side(actor: Any) -> bool:
    """The hospital's own staff who work tickets (admin, IT engineers): not a vendor."""
    return has_cap(actor, Cap.CHANGE_OPERATIONS) and access.visible_system_ids(actor) is None


def vendor_side(actor: Any) -> bool:
    """A vendor's engineer: works tickets, but only on the systems of his contracts."""
    return has_cap(actor, Cap.CHANGE_OPERATIONS) and not hospital_side(actor)


def may_confirm(actor: Any, ticket: Ticket) -> bool:
    """Confirmation (and refusal) of a resolution: the reporter unless he is on the vendor
    side, or the hospital's staff who work the ticket — never the vendor's own."""
    if actor.pk == ticket.reporter_id and has_cap(actor, Cap.VIEW_OPERATIONS):
        return not vendor_side(actor)
    return hospital_side(actor) and may_work(actor, ticket)


def refuses(ticket: Ticket, to_status: str) -> bool:
    """Whether moving ``ticket`` to ``to_status`` refuses its resolution ("not fixed")."""
    return ticket.status == "resolved" and to_status == ticket_flow.refusal(ticket.kind)


def _needs_fallback(ticket: Ticket, to_status: str) -> bool:
    """A P1 incident that cannot be fixed at once — put to wait for the hospital or a third
    party — must have a recorded fallback plan (a workaround at restore may record one)."""
    return (ticket.kind == Kind.INCIDENT and ticket.priority == "P1"
            and to_status in ticket_flow.PENDING)


def _change_checks(actor: Any, ticket: Ticket, to_status: str, supervisor: Any | None,
                   implementation_report: str, rollback_reason: str) -> dict[str, Any]:
    """What a change's step needs (seed 004 §(三)2); the plan fields it sets."""
    plan = ChangePlan.objects.filter(ticket=ticket).first()
    fields: dict[str, Any] = {}
    if to_status == "approved" and plan is None:
        raise ValidationError({"change_plan": [
            _("A change is approved on its plan: save the content, plan, window, risk "
              "assessment, backup and rollback plans first.")]})
    if to_status == "implementing":
        chosen = supervisor or (plan.supervisor if plan else None)
        if chosen is None:
            raise ValidationError({"supervisor": [
                _("Name the hospital's supervisor of the implementation.")]})
        if not hospital_side(chosen):
            raise ValidationError({"supervisor": [
                _("The supervisor must be one of the hospital's staff.")]})
        fields["supervisor"] = chosen
    if to_status == "implemented":
        if not implementation_report.strip():
            raise ValidationError({"implementation_report": [
                _("Write the implementation report.")]})
        fields["implementation_report"] = implementation_report.strip()
    if to_status == "rolled_back":
        if not rollback_reason.strip():
            raise ValidationError({"rollback_reason": [_("Give the reason for the rollback.")]})
        fields["rollback_reason"] = rollback_reason.strip()
    if to_status == "verified" and not has_cap(actor, Cap.APPROVE):
        raise PermissionDenied(_("Only the hospital verifies a change."))
    return fields


def transition(actor: Any, ticket: Ticket, to_status: str, note: str = "",
               expected_version: int | None = None, fallback_plan: str = "",
               supervisor: Any | None = None, implementation_report: str = "",
               rollback_reason: str = "",
               request: HttpRequest | None = None, now: dt.datetime | None = None) -> Ticket:
    """Move ``ticket`` to ``to_status``. TransitionError (with the allowed statuses) when
    the flow forbids it; ConflictError when the ticket changed since ``expected_version``.

    Confirmation is the reporter's or the hospital's, never the vendor's own; so is the
    refusal of a resolution (also open to those working the ticket), with a note. A P1
    incident that is not fixed at once needs a fallback plan; a change's steps need their
    supervisor, implementation report or rollback reason."""
    if to_status == "confirmed":
        if not may_confirm(actor, ticket):
            raise PermissionDenied(_("Only the reporter or the hospital confirms a ticket, "
                                     "never the vendor."))
    elif refuses(ticket, to_status):
        if not (may_confirm(actor, ticket) or may_work(actor, ticket)):
            raise PermissionDenied(_("Only the reporter, the hospital or those working on "
                                     "the ticket may say it is not fixed."))
        if not note.strip():
            raise ValidationError({"note": [_("Say what still does not work.")]})
    else:
        _require_work(actor, ticket)
    options = allowed_next(ticket)
    if to_status not in options:
        raise TransitionError(ticket.kind, ticket.status, to_status, options)
    if ticket_flow.needs_approver(ticket.kind, to_status):
        if not has_cap(actor, Cap.APPROVE):
            raise PermissionDenied(_("Only the hospital may approve or reject."))
        if actor.pk == ticket.reporter_id:
            raise PermissionDenied(_("Nobody may approve what they applied for."))
    if _needs_fallback(ticket, to_status) and not (fallback_plan.strip()
                                                    or ticket.fallback_plan):
        raise ValidationError({"fallback_plan": [
            _("A P1 incident that is not fixed at once needs a recorded fallback plan.")]})
    plan_fields = (_change_checks(actor, ticket, to_status, supervisor,
                                  implementation_report, rollback_reason)
                   if ticket.kind == Kind.CHANGE else {})
    now = now or timezone.now()
    before = _snapshot(ticket)
    source = ticket.status
    changes: dict[str, Any] = {"status": to_status}
    if fallback_plan.strip():
        changes["fallback_plan"] = fallback_plan.strip()
    with transaction.atomic():
        _bump(ticket, expected_version, **changes)
        if plan_fields:
            ChangePlan.objects.filter(ticket=ticket).update(**plan_fields)
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
    """Set the priority by hand (a reason is required); the clocks follow the new one.

    Not on a finished ticket (its SLA history is settled). Raising the urgency is for
    anyone working the ticket; lowering it (to a level the contract lists as less
    urgent) is the hospital's decision."""
    _require_work(actor, ticket)
    if ticket_flow.terminal(ticket.kind, ticket.status):
        raise ValidationError({"priority": [
            _("The ticket is finished: its priority can no longer change.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Changing the priority needs a reason.")]})
    contract = contract_of(ticket.contract_version) if ticket.contract_version else None
    _check_level(contract, ticket.kind, priority)
    if priority == ticket.priority:
        raise ValidationError({"priority": [_("The ticket already has this priority.")]})
    if (contract is not None and lowers(contract, ticket.kind, ticket.priority, priority)
            and not hospital_side(actor)):
        raise PermissionDenied(_("Only the hospital lowers a ticket's priority."))
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
        notices.assigned(ticket, user)
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


# --- targets, reports, plans, links ------------------------------------------------------

def waive_target(actor: Any, ticket: Ticket, target: str, reason: str,
                 expected_version: int | None = None, request: HttpRequest | None = None,
                 now: dt.datetime | None = None) -> Ticket:
    """Declare an SLA target not needed (an incident fixed remotely needs no visit). Only
    the hospital's side may, with a reason; a waiver after the due leaves the breach."""
    _require_work(actor, ticket)
    if not hospital_side(actor):
        raise PermissionDenied(_("Only the hospital decides that a visit is not needed."))
    if target not in ticket_flow.WAIVABLE:
        raise ValidationError({"target": [
            _("Only these targets can be declared not needed: %(targets)s.")
            % {"targets": ", ".join(ticket_flow.WAIVABLE)}]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the target is not needed.")]})
    done = set(ticket.events.filter(kind__in=(EventKind.TARGET_MET, EventKind.TARGET_WAIVED))
               .values_list("to_value", flat=True))
    if target in done:
        raise ValidationError({"target": [_("This target is already met or waived.")]})
    now = now or timezone.now()
    with transaction.atomic():
        _bump(ticket, expected_version)
        _event(ticket, actor, EventKind.TARGET_WAIVED, now, after=target, note=reason.strip())
        audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=ticket,
                     detail={"waived": target, "reason": reason.strip()})
    return ticket


Row = TypeVar("Row", AnalysisReport, ChangePlan)


def _upsert(model: type[Row], ticket: Ticket, values: dict[str, Any]) -> Row:
    """Create or replace the ticket's one ``model`` row. Two first submissions racing
    past the version check meet the unique ticket column: the loser gets ConflictError,
    never a 500."""
    try:
        with transaction.atomic():
            row, _created = model._default_manager.update_or_create(ticket=ticket,
                                                                     defaults=values)
    except IntegrityError as exc:
        current = Ticket.objects.filter(pk=ticket.pk).values_list("version", flat=True).first()
        raise ConflictError(current or 0) from exc
    return row


ANALYSIS_FIELDS = ("event_description", "root_cause", "scope", "steps_taken", "prevention")


def submit_analysis(actor: Any, ticket: Ticket, *, event_description: str, root_cause: str,
                    scope: str, steps_taken: str, prevention: str,
                    expected_version: int | None = None, request: HttpRequest | None = None,
                    now: dt.datetime | None = None) -> AnalysisReport:
    """The fault analysis report of an incident (or a problem's root-cause analysis):
    every part is required. Submitting it meets the contract's ``report`` target; a
    corrected report replaces the text but the target stays met at the first submission.
    Like every change of the ticket it bumps its version (``expected_version``: stale →
    ConflictError)."""
    _require_work(actor, ticket)
    if ticket.kind not in (Kind.INCIDENT, Kind.PROBLEM):
        raise ValidationError({"kind": [
            _("Analysis reports belong to incidents and problems.")]})
    values = {"event_description": event_description, "root_cause": root_cause,
              "scope": scope, "steps_taken": steps_taken, "prevention": prevention}
    missing = {name: [_("This part of the report is required.")]
               for name, value in values.items() if not value.strip()}
    if missing:
        raise ValidationError(missing)
    now = now or timezone.now()
    existing = AnalysisReport.objects.filter(ticket=ticket).first()
    before = audit.snapshot(existing) if existing else None
    with transaction.atomic():
        _bump(ticket, expected_version)
        report = _upsert(AnalysisReport, ticket, {**{k: v.strip() for k, v in values.items()},
                                                  "author": actor, "submitted_at": now})
        _event(ticket, actor, EventKind.REPORT, now, after="analysis",
               note=values["root_cause"].strip()[:500])
        met = ticket.events.filter(kind=EventKind.TARGET_MET, to_value="report").exists()
        if not met:
            _event(ticket, actor, EventKind.TARGET_MET, now, after="report")
        audit.record(AuditAction.UPDATE if existing else AuditAction.CREATE, actor=actor,
                     request=request, obj=report,
                     changes=audit.diff(before, audit.snapshot(report)),
                     detail={"ticket": ticket.number})
    return report


def save_change_plan(actor: Any, ticket: Ticket, *, content: str, plan: str,
                     window_start: dt.datetime, window_end: dt.datetime,
                     risk_level: str = RiskLevel.MEDIUM, risk_assessment: str,
                     backup_plan: str, rollback_plan: str, supervisor: Any | None = None,
                     expected_version: int | None = None,
                     request: HttpRequest | None = None) -> ChangePlan:
    """Write a change's application (seed 004 §(三)2). It can be edited until the hospital
    approves it; the window is what monitoring mutes alerts in. Bumps the ticket's
    version (``expected_version``: stale → ConflictError)."""
    _require_work(actor, ticket)
    if ticket.kind != Kind.CHANGE:
        raise ValidationError({"kind": [_("Only a change has a change plan.")]})
    if ticket.status != "submitted":
        raise ValidationError({"status": [
            _("The plan is fixed once the hospital has decided on it.")]})
    texts = {"content": content, "plan": plan, "risk_assessment": risk_assessment,
             "backup_plan": backup_plan, "rollback_plan": rollback_plan}
    errors: dict[str, list[str]] = {name: [_("This part of the application is required.")]
                                    for name, value in texts.items() if not value.strip()}
    if risk_level not in RiskLevel.values:
        errors["risk_level"] = [_("Unknown risk level.")]
    if window_end <= window_start:
        errors["window_end"] = [_("The window must end after it starts.")]
    if supervisor is not None and not hospital_side(supervisor):
        errors["supervisor"] = [_("The supervisor must be one of the hospital's staff.")]
    if errors:
        raise ValidationError(errors)
    existing = ChangePlan.objects.filter(ticket=ticket).first()
    before = audit.snapshot(existing) if existing else None
    with transaction.atomic():
        _bump(ticket, expected_version)
        change = _upsert(ChangePlan, ticket, {**{k: v.strip() for k, v in texts.items()},
                                              "window_start": window_start,
                                              "window_end": window_end,
                                              "risk_level": risk_level,
                                              "supervisor": supervisor})
        _event(ticket, actor, EventKind.EDIT, timezone.now(), after="change_plan",
               note=f"{window_start.isoformat()} – {window_end.isoformat()}")
        audit.record(AuditAction.UPDATE if existing else AuditAction.CREATE, actor=actor,
                     request=request, obj=change,
                     changes=audit.diff(before, audit.snapshot(change)),
                     detail={"ticket": ticket.number})
    return change


def link_incidents(actor: Any, problem: Ticket, incidents: Iterable[Ticket],
                   unlink: bool = False, request: HttpRequest | None = None,
                   now: dt.datetime | None = None) -> Ticket:
    """Link incidents to the problem that explains them (or unlink them)."""
    _require_work(actor, problem)
    if problem.kind != Kind.PROBLEM:
        raise ValidationError({"problem": [_("Incidents are linked to a problem.")]})
    incidents = list(incidents)
    wrong = [t.number for t in incidents if t.kind != Kind.INCIDENT]
    hidden = [t.number for t in incidents if not scoping.can_view(actor, t)]
    if wrong or hidden:
        raise ValidationError({"incidents": [
            _("Not incidents you may see: %(numbers)s.")
            % {"numbers": ", ".join(wrong + hidden)}]})
    now = now or timezone.now()
    with transaction.atomic():
        if unlink:
            problem.linked_incidents.remove(*incidents)
        else:
            problem.linked_incidents.add(*incidents)
        numbers = ", ".join(t.number for t in incidents)
        _event(problem, actor, EventKind.LINK, now, before=numbers if unlink else "",
               after="" if unlink else numbers)
        for incident in incidents:
            _event(incident, actor, EventKind.LINK, now,
                   before=problem.number if unlink else "",
                   after="" if unlink else problem.number)
        audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=problem,
                     detail={"unlinked" if unlink else "linked": [t.number for t in incidents]})
    return problem


def link_incidents_by_number(actor: Any, problem: Ticket, numbers: Iterable[str],
                             unlink: bool = False, field: str = "incidents",
                             request: HttpRequest | None = None,
                             now: dt.datetime | None = None) -> Ticket:
    """:func:`link_incidents` by the incidents' numbers (the page's form and the API):
    a number the actor cannot see is refused like one that does not exist, on ``field``."""
    wanted = list(dict.fromkeys(n.strip().upper() for n in numbers if n.strip()))
    found = {t.number: t for t in scoping.visible(actor, Ticket.objects.filter(
        number__in=wanted))}
    missing = [n for n in wanted if n not in found]
    if missing or not wanted:
        raise ValidationError({field: [
            _("No incident you may see with these numbers: %(numbers)s.")
            % {"numbers": ", ".join(missing) or "—"}]})
    return link_incidents(actor, problem, [found[n] for n in wanted], unlink=unlink,
                          request=request, now=now)
