"""Ticket records and monthly lists as files (docs/reports.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from careops.contracts.models import ContractProfile
from careops.core import access, audit
from careops.core.choices import AuditAction
from careops.reports.documents import contract_month, ticket_record
from careops.reports.documents.common import person
from careops.reports.render import FORMATS, Rendered, render
from careops.servicedesk import scoping
from careops.servicedesk.actions import surveys
from careops.servicedesk.models import Ticket

CLI = "cli"


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValidationError({"format": [
            _("Unknown format “%(format)s”; choose one of: %(formats)s.")
            % {"format": fmt, "formats": ", ".join(FORMATS)}]})
    return fmt


def visible_contracts(user: Any) -> QuerySet[ContractProfile]:
    return access.scope(user, ContractProfile.objects.select_related("vendor"))


def _actor_name(actor: Any) -> str:
    return person(actor) if actor is not None else CLI


def _audit(actor: Any, request: HttpRequest | None, obj: Any, rendered: Rendered,
           detail: dict[str, Any]) -> None:
    audit.record(AuditAction.EXPORT, actor=actor, request=request, obj=obj,
                 username="" if actor is not None else CLI,
                 detail={**detail, "format": rendered.format, "file": rendered.filename,
                         "size": len(rendered.content),
                         "sha256": hashlib.sha256(rendered.content).hexdigest()})


def export_ticket_record(actor: Any, ticket: Ticket, fmt: str, *,
                         request: HttpRequest | None = None,
                         now: dt.datetime | None = None) -> Rendered:
    """The maintenance record of ``ticket`` (public entries only). ``actor`` None is the
    command line, run by whoever administers the server."""
    check_format(fmt)
    if actor is not None and not scoping.can_view(actor, ticket):
        raise PermissionDenied(_("You may not see this ticket."))
    now = now or timezone.now()
    # The survey rates the vendor's engineer: only those who may see survey results get
    # it in the record (the command line is the server's administrator: the full record).
    with_survey = actor is None or surveys.may_see_results(actor)
    document = ticket_record.build(ticket, actor_name=_actor_name(actor), now=now,
                                   with_survey=with_survey)
    rendered = render(document, fmt)
    _audit(actor, request, ticket, rendered,
           {"document": "ticket_record", "ticket": ticket.number, "entries": "public",
            "survey": with_survey})
    return rendered


def export_contract_month(actor: Any, profile: ContractProfile, month: str, fmt: str, *,
                          request: HttpRequest | None = None,
                          now: dt.datetime | None = None) -> Rendered:
    """The monthly list of ``profile``'s tickets. Only tickets the actor may also see
    are listed (a contract is visible to whom sees one of its systems)."""
    check_format(fmt)
    start, end = contract_month.parse_month(month)
    tickets = contract_month.tickets_of(profile, start, end)
    if actor is not None:
        if not visible_contracts(actor).filter(pk=profile.pk).exists():
            raise PermissionDenied(_("You may not see this contract."))
        tickets = scoping.visible(actor, tickets)
    now = now or timezone.now()
    rows = list(tickets)
    document = contract_month.build(profile, month, rows, actor_name=_actor_name(actor),
                                    now=now)
    rendered = render(document, fmt)
    _audit(actor, request, profile, rendered,
           {"document": "contract_month", "contract": profile.code, "month": month,
            "tickets": [t.number for t in rows]})
    return rendered
