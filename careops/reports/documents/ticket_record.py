"""The maintenance record of one ticket (维护记录/服务记录单).

The record is the hospital's evidence for acceptance and payment, so it holds only
what the hospital may see: the public timeline entries and public attachments.
Internal notes and internal files never enter it, whoever exports it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from careops.logic.contract import ContractInvalid
from careops.reports.documents import common
from careops.reports.documents.common import person, when
from careops.reports.render import Document, Heading, KeyValues, Paragraph, Table
from careops.servicedesk.actions import contract_of
from careops.servicedesk.clocks import clocks_for
from careops.servicedesk.labels import state_label, target_label
from careops.servicedesk.models import (
    AnalysisReport,
    Attachment,
    ChangePlan,
    Channel,
    EventKind,
    Kind,
    Survey,
    Ticket,
    TicketEvent,
)
from careops.servicedesk.models.records import BreachCause, RiskLevel
from careops.servicedesk.models.tickets import STATUS_LABELS


def status_label(value: str) -> str:
    return str(STATUS_LABELS.get(value, value))


def hospital_of(ticket: Ticket) -> str:
    if ticket.contract_version is None:
        return ""
    try:
        return contract_of(ticket.contract_version).parties.hospital
    except ContractInvalid:  # a stored version always parsed once; be safe anyway
        return ""


def event_text(event: TicketEvent) -> str:
    """What a timeline entry says, in words."""
    kind = event.kind
    if kind == EventKind.STATUS:
        text = f"{status_label(event.from_value)} → {status_label(event.to_value)}"
    elif kind == EventKind.PRIORITY:
        text = f"{event.from_value or '—'} → {event.to_value}"
    elif kind in (EventKind.TARGET_MET, EventKind.TARGET_WAIVED, EventKind.WARNING,
                  EventKind.BREACH, EventKind.REPORT):
        text = target_label(event.to_value)
    elif kind == EventKind.OPENED:
        text = _("Priority %(priority)s") % {"priority": event.to_value} if event.to_value \
            else ""
    elif kind == EventKind.ASSIGN:
        text = f"{event.from_value or '—'} → {event.to_value or '—'}"
    else:
        text = event.to_value
    return "\n".join(part for part in (text, event.note) if part)


def _size(size: int) -> str:
    if size >= 1048576:
        return f"{size / 1048576:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} B"


def _first(model: type[Any], ticket: Ticket) -> Any:
    return model.objects.filter(ticket=ticket).first()


def build(ticket: Ticket, *, actor_name: str, now: dt.datetime,
          with_survey: bool = False) -> Document:
    """The record of ``ticket``; ``with_survey``: include the satisfaction survey (only
    for readers who may see survey results, careops.servicedesk.actions.surveys)."""
    version = ticket.contract_version
    profile = version.profile if version else None
    kinds = dict(Kind.choices)
    channels = dict(Channel.choices)
    systems = [f"{s.code} {s.name}" for s in ticket.systems.order_by("code")]
    items = [f"{i.code} {i.name}" for i in ticket.items.order_by("code")]
    rows: list[tuple[str, Any]] = [
        (_("Hospital"), hospital_of(ticket) or "—"),
        (_("Vendor"), profile.vendor.name if profile else "—"),
        (_("Contract"), f"{profile.code} {profile.name}" if profile else _("None (no SLA)")),
        (_("Contract version"),
         _("v%(number)s, valid from %(date)s") % {"number": version.number,
                                                   "date": version.valid_from}
         if version else "—"),
        (_("Number"), ticket.number),
        (_("Kind"), str(kinds.get(ticket.kind, ticket.kind))),
        (_("Title"), ticket.title),
        (_("Status"), ticket.status_label),
        (_("Reporter"), person(ticket.reporter)),
        (_("Channel"), str(channels.get(ticket.channel, ticket.channel))),
        (_("Opened at"), when(ticket.opened_at)),
        (_("Closed at"), when(ticket.closed_at) or "—"),
        (_("Priority"), ticket.priority or "—"),
        (_("Assignee"), person(ticket.assignee) or "—"),
        (_("Team"), ticket.team.name if ticket.team else "—"),
        (_("Estimated effort (person-days)"),
         str(ticket.effort_person_days) if ticket.effort_person_days is not None else "—"),
        (_("Affected systems"), "\n".join(systems) or "—"),
        (_("Affected items"), "\n".join(items) or "—"),
        (_("Reason for the priority"), ticket.priority_reason or "—"),
        (_("Description"), ticket.description or "—"),
    ]
    wide = {_("Affected systems"), _("Affected items"), _("Reason for the priority"),
            _("Description")}
    if ticket.fallback_plan:
        rows.append((_("Fallback plan"), ticket.fallback_plan))
        wide.add(_("Fallback plan"))
    blocks: list[Any] = [Heading(_("Ticket")), KeyValues(rows, wide=frozenset(wide))]

    blocks.append(Heading(_("Service levels")))
    clocks = clocks_for(ticket, now)
    if version is None:
        blocks.append(Paragraph(_("No contract covers the affected items: no SLA applies.")))
    else:
        blocks.append(Table(
            headers=[_("Target"), _("Priority"), _("Started"), _("Due"), _("Met at"),
                     _("State")],
            rows=[[target_label(c.name), c.priority, when(c.started_at), when(c.due_at)
                   + (" *" if c.estimated else ""), when(c.met_at), state_label(c)]
                  for c in clocks],
            widths=[1.2, 0.9, 2, 2, 2, 1.2], sheet=_("Service levels"),
            empty=_("The contract sets no targets for this kind and priority.")))
        if any(c.estimated for c in clocks):
            blocks.append(Paragraph(_("* Estimated: the working calendar has no holiday data "
                                      "for that year yet."), muted=True))
        breaches = list(ticket.breaches.order_by("breached_at", "id"))
        if breaches:
            causes = dict(BreachCause.choices)
            blocks.append(Table(
                title=_("Breaches and their causes"),
                headers=[_("Target"), _("Due"), _("Breached"), _("Cause"), _("Explanation")],
                rows=[[target_label(b.target), when(b.due_at), when(b.breached_at),
                       str(causes.get(b.cause, b.cause)), b.explanation] for b in breaches],
                widths=[1.2, 2, 2, 1.4, 4], sheet=_("Breaches")))

    events = list(ticket.events.filter(public=True).select_related("actor").order_by("at", "id"))
    event_kinds = dict(EventKind.choices)
    blocks += [Heading(_("Timeline")), Table(
        headers=[_("Time"), _("Action"), _("By"), _("Details")],
        rows=[[when(e.at), str(event_kinds.get(e.kind, e.kind)), person(e.actor) or _("System"),
               event_text(e)] for e in events],
        widths=[2.4, 2, 2, 5.6], sheet=_("Timeline"))]
    blocks.append(Paragraph(_("The record shows the public entries only; internal notes "
                              "are not part of it."), muted=True))

    attachments = list(Attachment.objects.filter(ticket=ticket, public=True)
                       .select_related("uploaded_by").order_by("uploaded_at", "id"))
    blocks += [Heading(_("Attachments")), Table(
        headers=[_("File name"), _("Size"), _("SHA-256"), _("Uploaded by"), _("Uploaded")],
        rows=[[a.name, _size(a.size), a.sha256, person(a.uploaded_by), when(a.uploaded_at)]
              for a in attachments],
        widths=[3, 1.2, 5, 2, 2], sheet=_("Attachments"), empty=_("No attachments."))]

    analysis: AnalysisReport | None = _first(AnalysisReport, ticket)
    if analysis is not None:
        labels = [_("What happened"), _("Root cause"), _("Scope of impact"), _("Steps taken"),
                  _("Prevention")]
        blocks += [Heading(_("Fault analysis report")), KeyValues(
            [(_("Author"), person(analysis.author)),
             (_("Submitted"), when(analysis.submitted_at)),
             *zip(labels, [analysis.event_description, analysis.root_cause, analysis.scope,
                           analysis.steps_taken, analysis.prevention], strict=True)],
            wide=frozenset(labels))]

    plan: ChangePlan | None = _first(ChangePlan, ticket)
    if plan is not None:
        risks = dict(RiskLevel.choices)
        labels = [_("Content of the change"), _("Implementation plan"), _("Risk assessment"),
                  _("Backup plan"), _("Rollback plan"), _("Implementation report"),
                  _("Reason for the rollback")]
        texts = [plan.content, plan.plan, plan.risk_assessment, plan.backup_plan,
                 plan.rollback_plan, plan.implementation_report or "—",
                 plan.rollback_reason or "—"]
        blocks += [Heading(_("Change plan")), KeyValues(
            [(_("Window"), f"{when(plan.window_start)} – {when(plan.window_end)}"),
             (_("Risk level"), str(risks.get(plan.risk_level, plan.risk_level))),
             (_("Supervisor"), person(plan.supervisor) or "—"),
             *zip(labels, texts, strict=True)],
            wide=frozenset(labels))]

    survey: Survey | None = _first(Survey, ticket) if with_survey else None
    if survey is not None and survey.score is not None:
        blocks += [Heading(_("Satisfaction survey")), KeyValues(
            [(_("Score"), _("%(score)s of 5") % {"score": survey.score}),
             (_("Answered"), when(survey.answered_at)),
             (_("Comment"), survey.comment or "—")],
            wide=frozenset({_("Comment")}))]

    blocks.append(common.signatures(_(
        "The vendor's engineer and the hospital confirm by signing that the service above "
        "was provided as recorded.")))
    return Document(
        title=_("Maintenance record"), reference=ticket.number,
        subtitle=" · ".join(part for part in (hospital_of(ticket),
                                              profile.vendor.name if profile else "") if part),
        blocks=blocks, page_label=common.page_label(),
        footer=common.footer(actor_name, now),
        filename=_("maintenance-record-%(number)s") % {"number": ticket.number},
        main_sheet=_("Record"))
