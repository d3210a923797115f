"""Satisfaction surveys (docs/servicedesk.md, "Satisfaction survey").

:func:`send_survey` runs when a ticket closes: a survey with a random token (only its
SHA-256 is stored), the assignee as the engineer, an expiry, and an email to the
reporter with the single-use link. :func:`answer_survey` takes the answer from the
public page (no login); :func:`results` aggregates the answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from careops.core import access, audit, months
from careops.core.choices import AuditAction, NotificationKind
from careops.core.models.notifications import Channel
from careops.core.notify import queue
from careops.core.roles import Cap, has_cap
from careops.servicedesk.models import EventKind, Survey, Ticket
from careops.servicedesk.models import TicketEvent as Event

TOKEN_BYTES = 32


class SurveyGone(Exception):
    """The survey was answered already or has expired (HTTP 410)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason  # "answered" or "expired"
        super().__init__(reason)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def survey_path(token: str) -> str:
    return reverse("servicedesk:survey", args=[token])


def send_survey(ticket: Ticket, now: dt.datetime) -> tuple[Survey, str] | None:
    """Create the ticket's survey and mail the link to the reporter; returns the survey
    and its token (shown nowhere else), or None when the ticket already has one."""
    if Survey.objects.filter(ticket=ticket).exists():
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires = now + dt.timedelta(days=settings.CAREOPS_SURVEY_DAYS)
    survey = Survey.objects.create(ticket=ticket, token_hash=token_hash(token),
                                   engineer=ticket.assignee, created_at=now,
                                   expires_at=expires)
    reporter = ticket.reporter
    with translation.override(settings.LANGUAGE_CODE):
        values = {"number": ticket.number, "title": ticket.title,
                  "expires": timezone.localtime(expires).strftime("%Y-%m-%d")}
        mailed = bool(reporter.email) and _mail(ticket, token, values)
        if mailed:
            note = _("Satisfaction survey sent to the reporter; the link is valid until "
                     "%(expires)s.") % values
        else:
            note = _("Satisfaction survey created; the reporter has no email address or no "
                     "email channel is enabled, so no link was sent.")
        Event.objects.create(ticket=ticket, actor=None, kind=EventKind.SURVEY, at=now,
                             to_value="sent", note=note, public=False)
    audit.record(AuditAction.CREATE, obj=survey, username="system",
                 detail={"ticket": ticket.number, "mailed": mailed,
                         "expires_at": expires.isoformat()})
    return survey, token


def _mail(ticket: Ticket, token: str, values: dict[str, str]) -> bool:
    title = _("How did we do with %(number)s?") % values
    text = _("Your ticket %(number)s “%(title)s” is closed. Please rate the service from 1 "
             "to 5 with the link below (single use, valid until %(expires)s).") % values
    channels = Channel.objects.filter(enabled=True, kind=NotificationKind.EMAIL)
    sent = [queue(channel, event="ticket.survey", title=title, text=text, severity="info",
                  link=survey_path(token),
                  data={"ticket": ticket.number, "recipients": [ticket.reporter.email],
                        "forget_link": True})
            for channel in channels]
    return bool(sent)


def find(token: str) -> Survey | None:
    return Survey.objects.select_related("ticket").filter(token_hash=token_hash(token)).first()


def check_open(survey: Survey, now: dt.datetime) -> None:
    if survey.answered_at is not None:
        raise SurveyGone("answered")
    if survey.expires_at <= now:
        raise SurveyGone("expired")


def _score(value: Any) -> int:
    try:
        score = int(str(value).strip())
    except (TypeError, ValueError):
        score = 0
    if isinstance(value, bool) or not 1 <= score <= 5 or str(value).strip() != str(score):
        raise ValidationError({"score": [_("Choose a score from 1 to 5.")]})
    return score


def answer_survey(token: str, score: Any, comment: str = "",
                  now: dt.datetime | None = None, request: Any = None) -> Survey:
    """Record the answer. Unknown token: Survey.DoesNotExist; answered or expired:
    SurveyGone; a score outside 1-5: ValidationError naming ``score``."""
    now = now or timezone.now()
    value = _score(score)
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError({"comment": [_("At most 2000 characters.")]})
    with transaction.atomic():
        survey = Survey.objects.select_for_update().select_related("ticket").filter(
            token_hash=token_hash(token)).first()
        if survey is None:
            raise Survey.DoesNotExist
        check_open(survey, now)
        # single use even against a double submit: only one UPDATE finds it unanswered
        done = Survey.objects.filter(pk=survey.pk, answered_at__isnull=True).update(
            answered_at=now, score=value, comment=comment)
        if not done:
            raise SurveyGone("answered")
        survey.refresh_from_db()
        Event.objects.create(ticket=survey.ticket, actor=None, kind=EventKind.SURVEY, at=now,
                             to_value=str(value), note=comment, public=False)
        audit.record(AuditAction.UPDATE, obj=survey, request=request,
                     changes={"score": [None, value], "comment": [None, comment]},
                     detail={"ticket": survey.ticket.number, "via": "survey link"})
    return survey


# --- results --------------------------------------------------------------------------

def may_see_results(user: Any) -> bool:
    """The hospital's roles that see every system (admin, IT engineer, auditor): the
    scores rate the vendors' engineers, so vendors do not read them."""
    return has_cap(user, Cap.VIEW_OPERATIONS) and access.visible_system_ids(user) is None


def month_range(month: str) -> tuple[dt.datetime, dt.datetime]:
    """``YYYY-MM`` → the month's first instant and the next month's, in local time
    (careops.core.months: ValidationError naming ``month``)."""
    return months.month_range(month)


@dataclass(frozen=True)
class Row:
    key: Any
    label: str
    count: int
    average: float | None


@dataclass(frozen=True)
class Results:
    month: str
    sent: int
    answered: int
    average: float | None
    engineers: list[Row]
    systems: list[Row]
    contracts: list[Row]


def _rows(qs: QuerySet[Survey], key: str, label: str) -> list[Row]:
    data = qs.values(key, label).annotate(n=Count("pk", distinct=True), avg=Avg("score")) \
        .order_by(label, key)
    return [Row(d[key], str(d[label] or "—"), d["n"],
                round(float(d["avg"]), 2) if d["avg"] is not None else None) for d in data]


def results(month: str = "") -> Results:
    """Counts and average scores of the answered surveys (of ``month`` when given, by
    the day of the answer), per engineer, business system and contract."""
    sent_qs = Survey.objects.all()
    answered = Survey.objects.filter(answered_at__isnull=False)
    if month:
        start, end = month_range(month)
        sent_qs = sent_qs.filter(created_at__gte=start, created_at__lt=end)
        answered = answered.filter(answered_at__gte=start, answered_at__lt=end)
    overall = answered.aggregate(n=Count("pk"), avg=Avg("score"))
    engineers = _rows(answered, "engineer_id", "engineer__username")
    names = _names(r.key for r in engineers)
    engineers = [Row(r.key, names.get(r.key, r.label), r.count, r.average) for r in engineers]
    return Results(
        month=month, sent=sent_qs.count(), answered=overall["n"],
        average=round(float(overall["avg"]), 2) if overall["avg"] is not None else None,
        engineers=engineers,
        systems=_rows(answered, "ticket__systems__code", "ticket__systems__name"),
        contracts=_rows(answered, "ticket__contract_version__profile__code",
                        "ticket__contract_version__profile__name"))


def _names(ids: Iterable[Any]) -> dict[Any, str]:
    from django.contrib.auth import get_user_model

    wanted = [i for i in ids if i is not None]
    return {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=wanted)}
