"""The monthly list of maintenance records of one contract (月度维护记录清单).

A ticket belongs to a month when it was opened in that month or closed in it (local
time, Asia/Shanghai by default): a ticket opened on 30 November and closed on
2 December is in both lists, so no work is left out of a month's acceptance. Every
version of the contract counts. SLA states are those at the time of the export.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from careops.contracts.models import ContractProfile
from careops.core.months import month_range
from careops.reports.documents import common
from careops.reports.documents.common import when
from careops.reports.render import Document, Heading, KeyValues, Paragraph, Table
from careops.reports.render.model import Value
from careops.servicedesk.clocks import clocks_for_many
from careops.servicedesk.labels import (
    ON_TIME,
    RUNNING,
    TARGET_LABELS,
    outcome,
    state_label,
    target_label,
)
from careops.servicedesk.models import EventKind, Kind, Ticket, TicketEvent

DONE = ("respond", "restore", "resolve")


def parse_month(text: str) -> tuple[dt.datetime, dt.datetime]:
    """``YYYY-MM`` → [start, end) of that month in local time; ValidationError naming
    ``month`` otherwise (careops.core.months, the one month parser)."""
    return month_range(text)


def tickets_of(profile: ContractProfile, start: dt.datetime,
               end: dt.datetime) -> QuerySet[Ticket]:
    opened = Q(opened_at__gte=start, opened_at__lt=end)
    closed = Q(closed_at__gte=start, closed_at__lt=end)
    return (Ticket.objects.filter(contract_version__profile=profile).filter(opened | closed)
            .select_related("contract_version").prefetch_related("systems")
            .order_by("opened_at", "id"))


def _percent(met: int, breached: int) -> str:
    decided = met + breached
    return f"{100 * met / decided:.1f}%" if decided else "—"


def build(profile: ContractProfile, month: str, tickets: list[Ticket], *, actor_name: str,
          now: dt.datetime) -> Document:
    start, end = parse_month(month)
    kinds = dict(Kind.choices)
    versions = sorted({t.contract_version.number for t in tickets if t.contract_version})
    current = profile.current_version
    hospital = ""
    if current is not None:
        hospital = str(current.summary.get("hospital", ""))
    done_at: dict[int, dict[str, dt.datetime]] = {}
    met_events = TicketEvent.objects.filter(
        ticket__in=[t.pk for t in tickets], kind=EventKind.TARGET_MET, to_value__in=DONE)
    for ticket_id, target, at in (met_events.order_by("at", "id")
                                  .values_list("ticket_id", "to_value", "at")):
        done_at.setdefault(ticket_id, {}).setdefault(target, at)

    rows: list[list[Value]] = []
    per_kind: Counter[str] = Counter()
    per_priority: Counter[str] = Counter()
    per_target: dict[str, Counter[str]] = {}
    every_clock = clocks_for_many(tickets, now)
    for ticket in tickets:
        clocks = every_clock[ticket.pk]
        per_kind[ticket.kind] += 1
        per_priority[ticket.priority or "—"] += 1
        states = []
        for clock in clocks:
            counted = outcome(clock)
            if counted is not None:      # not started or not needed: not in the figures
                bucket = {ON_TIME: "met", RUNNING: "open"}.get(counted, "breached")
                per_target.setdefault(clock.name, Counter())[bucket] += 1
            states.append(f"{target_label(clock.name)}: {state_label(clock)}")
        done = done_at.get(ticket.pk, {})
        rows.append([
            ticket.number, str(kinds.get(ticket.kind, ticket.kind)), ticket.title,
            "\n".join(s.name for s in ticket.systems.all()), ticket.priority or "—",
            when(ticket.opened_at), when(done.get("respond")), when(done.get("restore")),
            when(done.get("resolve")), "\n".join(states) or _("No SLA"), ticket.status_label,
        ])

    met = sum(c["met"] for c in per_target.values())
    breached = sum(c["breached"] for c in per_target.values())
    last_day = (end - dt.timedelta(days=1)).date()
    order = list(TARGET_LABELS)
    target_rows: list[list[Value]] = [
        [target_label(name), c["met"], c["breached"], c["open"],
         _percent(c["met"], c["breached"])]
        for name, c in sorted(per_target.items(),
                              key=lambda item: order.index(item[0]) if item[0] in order
                              else len(order))]
    if per_target:
        target_rows.append([_("All targets"), met, breached,
                            sum(c["open"] for c in per_target.values()),
                            _percent(met, breached)])
    blocks: list[Any] = [
        KeyValues([
            (_("Hospital"), hospital or "—"), (_("Vendor"), profile.vendor.name),
            (_("Contract"), f"{profile.code} {profile.name}"),
            (_("Contract versions"), ", ".join(f"v{n}" for n in versions) or "—"),
            (_("Month"), month),
            (_("Period"), f"{start.date():%Y-%m-%d} – {last_day:%Y-%m-%d}"),
            (_("Tickets"), len(tickets)),
            (_("SLA targets met on time"), _percent(met, breached)),
        ], pairs_per_row=3),
        Paragraph(_("The list holds every ticket of this contract opened or closed in the "
                    "month. SLA states are those at the time of the export; a target still "
                    "running is counted neither as met nor as breached, and a target not "
                    "started yet or not needed is not counted at all."), muted=True),
        Heading(_("Tickets")),
        Table(headers=[_("Number"), _("Kind"), _("Title"), _("System"), _("Priority"),
                       _("Opened at"), _("Responded"), _("Restored"), _("Resolved"),
                       _("SLA"), _("Status")],
              rows=rows, widths=[2.6, 1.1, 3.0, 1.8, 1.1, 1.9, 1.9, 1.9, 1.9, 2.4, 1.3],
              sheet=_("Tickets"), empty=_("No tickets in this month.")),
        Heading(_("Summary")),
        Table(title=_("By kind"), headers=[_("Kind"), _("Tickets")],
              rows=[[str(kinds[k]), per_kind[k]] for k in Kind.values if per_kind[k]],
              widths=[3, 1], empty=_("No tickets in this month."), compact=True),
        Table(title=_("By priority"), headers=[_("Priority"), _("Tickets")],
              rows=[[p, n] for p, n in sorted(per_priority.items())], widths=[3, 1],
              empty=_("No tickets in this month."), compact=True),
        Table(title=_("SLA targets"),
              headers=[_("Target"), _("Met"), _("Breached"), _("Still running"),
                       _("On time")],
              rows=target_rows,
              widths=[3, 1, 1, 1, 1], empty=_("No SLA targets in this month.")),
        common.signatures(_("The vendor and the hospital confirm by signing that this list "
                            "is complete and correct for the month.")),
    ]
    return Document(
        title=_("Monthly maintenance record list"),
        reference=f"{profile.code} · {month}",
        subtitle=f"{profile.name} · {month}", blocks=blocks, landscape=True,
        page_label=common.page_label(), footer=common.footer(actor_name, now),
        filename=_("maintenance-records-%(code)s-%(month)s") % {"code": profile.code,
                                                                "month": month},
        main_sheet=_("Summary"))
