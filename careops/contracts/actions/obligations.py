"""The obligation tracker's state changes (docs/obligations.md, "Tracker").

* :func:`sync_occurrences` turns the current version of a contract into stored
  occurrences (on every load, and daily);
* :func:`complete`, :func:`waive` and :func:`assign` are what people do to one;
* :func:`notify_overdue` tells the channels, once, about each occurrence past its deadline.

Every change is audited. Status changes are conditional UPDATEs on ``status = open``, so
two people (or two workers) acting at once cannot both win.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from careops.contracts.models import (
    ContractProfile,
    ContractStatus,
    ObligationOccurrence,
    ObligationStatus,
)
from careops.contracts.scoping import can_view_occurrence, may_work_occurrence
from careops.core import audit
from careops.core import calendars as cals
from careops.core.choices import AuditAction, NotificationSeverity
from careops.core.notify import notify
from careops.core.roles import Cap, has_cap
from careops.core.uploads import check_upload_size, clean_file_name
from careops.logic import obligations as logic
from careops.logic.contract import Contract, parse_contract
from careops.logic.worktime import Calendar

# A completion without an evidence object or file needs a note at least this long: a
# sentence saying what was done and where the record is ("已完成，见纸质巡检单 2026-03").
MIN_NOTE = 15
# A waiver needs a reason at least this long.
MIN_REASON = 5
# Fields of an open occurrence that follow the contract's current version.
SCHEDULED_FIELDS = ("version", "kind", "title", "period_end", "due_at", "report_due_at",
                    "owner")


class NotOpen(Exception):
    """The occurrence is no longer open (done or waived meanwhile): HTTP 409."""

    def __init__(self, status: str) -> None:
        self.status = status
        super().__init__(_("This obligation is already %(status)s.")
                         % {"status": ObligationStatus(status).label})


# --------------------------------------------------------------------------- evidence
@dataclass(frozen=True)
class EvidenceKind:
    """A model whose instances can close an obligation: its label (``app.model``), who
    may cite one, and how to find one by its natural key (a ticket number)."""

    label: str
    can_view: Callable[[Any, models.Model], bool]
    find: Callable[[str], models.Model | None] | None = None
    # The id of the contract profile the evidence belongs to (None: of no contract);
    # when set, only an occurrence of that contract may cite it.
    profile_of: Callable[[models.Model], int | None] | None = None


EVIDENCE_KINDS: dict[str, EvidenceKind] = {}


def register_evidence(label: str, *, can_view: Callable[[Any, models.Model], bool],
                      find: Callable[[str], models.Model | None] | None = None,
                      profile_of: Callable[[models.Model], int | None] | None = None
                      ) -> None:
    """Later modules (inspections, backups, knowledge) register their reports here."""
    EVIDENCE_KINDS[label] = EvidenceKind(label, can_view, find, profile_of)


def may_see_evidence(user: Any, obj: models.Model) -> bool:
    """Whether ``user`` may see the record cited as evidence (the page shows it only then)."""
    kind = EVIDENCE_KINDS.get(evidence_label(obj))
    return kind is not None and kind.can_view(user, obj)


def _ticket_profile(ticket: models.Model) -> int | None:
    version = getattr(ticket, "contract_version", None)
    return version.profile_id if version is not None else None


def _ticket_visible(user: Any, ticket: models.Model) -> bool:
    from careops.servicedesk import scoping

    return scoping.can_view(user, ticket)


def _ticket_by_number(number: str) -> models.Model | None:
    model = apps.get_model("servicedesk", "Ticket")
    return model._default_manager.filter(number=number.strip()).first()


def install() -> None:
    register_evidence("servicedesk.ticket", can_view=_ticket_visible, find=_ticket_by_number,
                      profile_of=_ticket_profile)


def evidence_label(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def resolve_evidence(actor: Any, value: Any) -> models.Model | None:
    """``{"type": "servicedesk.ticket", "id": 7}``, a ticket number, or None/"" → the
    object the actor may cite, or a ValidationError on ``evidence``."""
    if value in (None, "", {}):
        return None
    key: Any
    if isinstance(value, str):
        kind, key, by_id = EVIDENCE_KINDS.get("servicedesk.ticket"), value, False
    elif isinstance(value, dict):
        kind = EVIDENCE_KINDS.get(str(value.get("type", "")))
        key, by_id = value.get("id"), True
        if kind is None:
            raise ValidationError({"evidence": [
                _("Unknown evidence type “%(type)s”; known: %(known)s.")
                % {"type": value.get("type", ""), "known": ", ".join(sorted(EVIDENCE_KINDS))}]})
    else:
        raise ValidationError({"evidence": [
            _("Give the evidence as a ticket number or as {\"type\": …, \"id\": …}.")]})
    if kind is None:
        raise ValidationError({"evidence": [_("Tickets cannot be cited as evidence here.")]})
    obj: models.Model | None
    if by_id:
        try:
            pk = int(key)
        except (TypeError, ValueError):
            raise ValidationError({"evidence": [_("The evidence id must be a number.")]}) \
                from None
        obj = apps.get_model(kind.label)._default_manager.filter(pk=pk).first()
    else:
        obj = kind.find(str(key)) if kind.find else None
    if obj is None or not kind.can_view(actor, obj):
        raise ValidationError({"evidence": [_("No such evidence that you may see: %(key)s.")
                                            % {"key": key}]})
    return obj


def _check_evidence(actor: Any, obj: models.Model,
                    occurrence: ObligationOccurrence) -> None:
    kind = EVIDENCE_KINDS.get(evidence_label(obj))
    if kind is None:
        raise ValidationError({"evidence": [
            _("A %(type)s cannot be cited as evidence.") % {"type": evidence_label(obj)}]})
    if not kind.can_view(actor, obj):
        raise ValidationError({"evidence": [_("You may not cite this evidence.")]})
    if kind.profile_of is not None and kind.profile_of(obj) != occurrence.profile_id:
        raise ValidationError({"evidence": [
            _("The evidence must belong to this obligation's contract.")]})


# --------------------------------------------------------------------------- sync
@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    removed_keys: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)

    def detail(self, version_number: int) -> dict[str, Any]:
        return {"version": version_number, "created": self.created, "updated": self.updated,
                "removed": self.removed_keys}


def contract_and_calendar(profile: ContractProfile) -> tuple[Contract, Calendar] | None:
    version = profile.current_version
    if version is None:
        return None
    contract = parse_contract(version.yaml_text)
    _row, calendar = cals.get_calendar(contract.working_calendar)
    return contract, calendar


def _deadline(occ: ObligationOccurrence) -> dt.datetime:
    return logic.deadline(occ.due_at, occ.report_due_at)


def sync_occurrences(profile: ContractProfile, now: dt.datetime | None = None, *,
                     actor: Any = None, request: HttpRequest | None = None,
                     audited: bool = True) -> SyncResult:
    """Bring the stored occurrences in line with the contract's current version.

    A change is audited on the contract (``audited=False``: the caller puts
    :meth:`SyncResult.detail` into its own record, as the contract load does).

    Occurrences are matched on (obligation code, period start). Idempotent. The rule when
    a new version changes the schedule:

    * missing occurrences are created (``sequence`` continues after the highest one of the
      code, so numbers are never reused);
    * an open occurrence whose deadline has not passed at ``now`` follows the new version
      (title, deadlines …; its assignee stays), or is removed when the new version no
      longer has it;
    * an open occurrence already overdue keeps the version it fell due under: what was
      owed stays owed (the hospital may waive it);
    * done and waived occurrences are never touched.
    """
    now = now or timezone.now()
    found = contract_and_calendar(profile)
    if found is None:
        return SyncResult()
    contract, calendar = found
    version = profile.current_version
    assert version is not None
    dues = logic.schedule(contract, calendar)
    result = SyncResult()
    with transaction.atomic():
        rows = list(ObligationOccurrence.objects.select_for_update().filter(profile=profile)
                    .order_by("code", "sequence"))
        existing = {(o.code, o.period_start): o for o in rows}
        last: dict[str, int] = defaultdict(int)
        for row in rows:
            last[row.code] = max(last[row.code], row.sequence)
        wanted: set[tuple[str, dt.date]] = set()
        create: list[ObligationOccurrence] = []
        update: list[ObligationOccurrence] = []
        for due in sorted(dues, key=lambda d: (d.obligation_code, d.period_start)):
            wanted.add(due.key)
            values = {"version": version, "kind": due.kind, "title": due.title[:200],
                      "period_end": due.period_end, "due_at": due.due_at,
                      "report_due_at": due.report_due_at, "owner": due.owner}
            occ = existing.get(due.key)
            if occ is None:
                last[due.obligation_code] += 1
                create.append(ObligationOccurrence(
                    profile=profile, code=due.obligation_code,
                    sequence=last[due.obligation_code], period_start=due.period_start,
                    **values))
                continue
            if occ.status != ObligationStatus.OPEN or _deadline(occ) <= now:
                continue
            changed = False
            for name, value in values.items():
                current = occ.version_id if name == "version" else getattr(occ, name)
                target = version.pk if name == "version" else value
                if current != target:
                    setattr(occ, name, value)
                    changed = True
            if changed:
                update.append(occ)
        gone = [o for key, o in existing.items() if key not in wanted
                and o.status == ObligationStatus.OPEN and _deadline(o) > now]
        if create:
            ObligationOccurrence.objects.bulk_create(create, batch_size=500)
        if update:
            ObligationOccurrence.objects.bulk_update(update, SCHEDULED_FIELDS, batch_size=500)
        if gone:
            ObligationOccurrence.objects.filter(pk__in=[o.pk for o in gone]).delete()
        result = SyncResult(len(create), len(update), len(gone),
                            [f"{o.code}@{o.period_start.isoformat()}" for o in gone])
        if result.changed and audited:
            audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=profile,
                         detail={"obligations": result.detail(version.number)})
    return result


def sync_all(now: dt.datetime | None = None) -> dict[str, SyncResult]:
    """Sync every active contract (the daily task). A contract whose schedule cannot be
    computed (its calendar was deleted) is skipped and reported, the others go on."""
    out: dict[str, SyncResult] = {}
    for profile in ContractProfile.objects.filter(status=ContractStatus.ACTIVE):
        try:
            out[profile.code] = sync_occurrences(profile, now)
        except (logic.ObligationError, cals.CalendarNotFound):
            continue
    return out


# --------------------------------------------------------------------------- people
def _snapshot(occ: ObligationOccurrence) -> dict[str, Any]:
    return audit.snapshot(occ)


def _require_work(actor: Any, occurrence: ObligationOccurrence) -> None:
    if not may_work_occurrence(actor, occurrence):
        raise PermissionDenied(_("You may not work on this obligation."))


def _claim(occurrence: ObligationOccurrence, **changes: Any) -> None:
    """Apply ``changes`` only while the occurrence is open: one conditional UPDATE."""
    done = ObligationOccurrence.objects.filter(
        pk=occurrence.pk, status=ObligationStatus.OPEN).update(**changes)
    if not done:
        current = ObligationOccurrence.objects.filter(pk=occurrence.pk) \
            .values_list("status", flat=True).first()
        raise NotOpen(current or ObligationStatus.OPEN)
    for name, value in changes.items():
        setattr(occurrence, name, value)


def complete(actor: Any, occurrence: ObligationOccurrence, *,
             evidence: models.Model | None = None, evidence_file: Any = None,
             note: str = "", request: HttpRequest | None = None,
             now: dt.datetime | None = None) -> ObligationOccurrence:
    """Mark the occurrence done by ``actor`` with its evidence: an object (a ticket, later
    an inspection or drill report), a file, or at least a note of :data:`MIN_NOTE`
    characters saying what was done. An obligation with ``times: N`` is completed once,
    when the Nth is done; its evidence covers them all."""
    _require_work(actor, occurrence)
    note = (note or "").strip()
    if evidence is not None:
        _check_evidence(actor, evidence, occurrence)
    upload = None
    if evidence_file is not None:
        upload = ContentFile(evidence_file, name="evidence") \
            if isinstance(evidence_file, bytes) else evidence_file
        check_upload_size(upload.size, "evidence_file")
    if evidence is None and upload is None and len(note) < MIN_NOTE:
        raise ValidationError({"evidence": [
            _("Cite the evidence (a ticket or a report), attach a file, or describe what was "
              "done in a note of at least %(n)d characters.") % {"n": MIN_NOTE}]})
    if occurrence.status != ObligationStatus.OPEN:
        raise NotOpen(occurrence.status)
    now = now or timezone.now()
    before = _snapshot(occurrence)
    stored = ""
    if upload is not None:
        name = clean_file_name(getattr(upload, "name", "") or "evidence", "evidence",
                               limit=150)
        stored = occurrence.evidence_file.storage.save(
            occurrence.evidence_file.field.generate_filename(occurrence, name), upload)
    try:
        with transaction.atomic():
            _claim(occurrence, status=ObligationStatus.DONE, done_at=now, done_by=actor,
                   evidence_type=ContentType.objects.get_for_model(evidence)
                   if evidence is not None else None,
                   evidence_id=evidence.pk if evidence is not None else None,
                   evidence_file=stored, note=note)
            late = now > _deadline(occurrence)
            audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=occurrence,
                         changes=audit.diff(before, _snapshot(occurrence)),
                         detail={"obligation": "complete", "contract": occurrence.profile.code,
                                 "evidence": f"{evidence_label(evidence)}:{evidence.pk}"
                                 if evidence is not None else "",
                                 "file": stored, "late": late})
    except Exception:
        if stored:
            occurrence.evidence_file.storage.delete(stored)
        raise
    return occurrence


def waive(actor: Any, occurrence: ObligationOccurrence, reason: str, *,
          request: HttpRequest | None = None,
          now: dt.datetime | None = None) -> ObligationOccurrence:
    """The hospital releases the vendor from this occurrence (a partial first quarter, a
    system switched off). Only holders of Cap.APPROVE; the reason is kept as the note."""
    if not has_cap(actor, Cap.APPROVE) or not can_view_occurrence(actor, occurrence):
        raise PermissionDenied(_("Only the hospital may waive an obligation."))
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": [_("Give the reason for the waiver (at least "
                                            "%(n)d characters).") % {"n": MIN_REASON}]})
    now = now or timezone.now()
    before = _snapshot(occurrence)
    with transaction.atomic():
        _claim(occurrence, status=ObligationStatus.WAIVED, done_at=now, done_by=actor,
               note=reason)
        audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=occurrence,
                     changes=audit.diff(before, _snapshot(occurrence)),
                     detail={"obligation": "waive", "contract": occurrence.profile.code,
                             "reason": reason})
    return occurrence


def assign(actor: Any, occurrence: ObligationOccurrence, user: Any | None, *,
           request: HttpRequest | None = None) -> ObligationOccurrence:
    """Give an open occurrence to ``user`` (None: nobody), who must be able to work on it."""
    _require_work(actor, occurrence)
    if user is not None and not may_work_occurrence(user, occurrence):
        raise ValidationError({"assignee": [_("%(user)s may not work on this obligation.")
                                            % {"user": user.get_username()}]})
    before = _snapshot(occurrence)
    with transaction.atomic():
        _claim(occurrence, assignee=user)
        audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=occurrence,
                     changes=audit.diff(before, _snapshot(occurrence)),
                     detail={"obligation": "assign", "contract": occurrence.profile.code})
    return occurrence


def record_download(actor: Any, occurrence: ObligationOccurrence, *,
                    request: HttpRequest | None = None) -> None:
    """Audit a download of the evidence file (the view streams it afterwards)."""
    if not can_view_occurrence(actor, occurrence):
        raise PermissionDenied
    audit.record(AuditAction.DOWNLOAD, actor=actor, request=request, obj=occurrence,
                 detail={"contract": occurrence.profile.code,
                         "file": occurrence.evidence_file.name})


# --------------------------------------------------------------------------- overdue
def overdue_candidates(now: dt.datetime) -> models.QuerySet[ObligationOccurrence]:
    """Occurrences past their deadline not notified yet: open ones, and those done after
    the deadline (a missed deadline counts for penalties even once the work is done)."""
    return (ObligationOccurrence.objects
            .annotate(deadline=Coalesce("report_due_at", "due_at"))
            .filter(overdue_notified_at__isnull=True, deadline__lt=now,
                    profile__status=ContractStatus.ACTIVE)
            .filter(Q(status=ObligationStatus.OPEN)
                    | Q(status=ObligationStatus.DONE, done_at__gt=F("deadline"))))


def notify_overdue(now: dt.datetime | None = None, limit: int = 500) -> int:
    """Notify every channel once per overdue occurrence (naming its assignee); returns how
    many were sent. Each is claimed with a conditional UPDATE of ``overdue_notified_at``
    first, so two workers running at once never send the same one twice."""
    now = now or timezone.now()
    sent = 0
    rows = list(overdue_candidates(now).select_related("profile", "assignee")
                .order_by("due_at", "pk")[:limit])
    with translation.override(settings.LANGUAGE_CODE):
        for occ in rows:
            with transaction.atomic():
                claimed = ObligationOccurrence.objects.filter(
                    pk=occ.pk, overdue_notified_at__isnull=True).update(overdue_notified_at=now)
                if not claimed:
                    continue
                occ.overdue_notified_at = now
                _send_overdue(occ)
                audit.record(AuditAction.NOTIFY, obj=occ, detail={
                    "event": "obligation.overdue", "contract": occ.profile.code,
                    "assignee": occ.assignee.get_username() if occ.assignee else ""})
                sent += 1
    return sent


def _send_overdue(occ: ObligationOccurrence) -> None:
    deadline = timezone.localtime(_deadline(occ)).strftime("%Y-%m-%d %H:%M")
    who = occ.assignee.get_username() if occ.assignee else _("nobody")
    if occ.status == ObligationStatus.DONE:
        title = _("Obligation done late: %(title)s") % {"title": occ.title}
    else:
        title = _("Obligation overdue: %(title)s") % {"title": occ.title}
    text = _("Contract %(contract)s: “%(title)s” for %(start)s – %(end)s was due by "
             "%(deadline)s. Assigned to %(who)s.") % {
        "contract": occ.profile.code, "title": occ.title, "start": occ.period_start,
        "end": occ.period_end, "deadline": deadline, "who": who}
    notify("obligation.overdue", title, text, severity=NotificationSeverity.WARNING,
           link=reverse("contracts:obligation_detail", args=[occ.pk]),
           data={"occurrence": occ.pk, "contract": occ.profile.code, "code": occ.code,
                 "period_start": occ.period_start.isoformat(),
                 "assignee": occ.assignee.get_username() if occ.assignee else ""})
