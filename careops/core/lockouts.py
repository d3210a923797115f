"""Current login lockouts (GB/T 22239-2019 8.1.4.1 b), read from django-axes' records.

CareOps locks the account and the source address separately
(``AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]``): each is locked when its
failures within the cool-off period reach ``AXES_FAILURE_LIMIT``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone


@dataclass(frozen=True)
class Lockout:
    kind: str          # "username" or "ip_address"
    value: str
    failures: int
    last_attempt: dt.datetime
    locked_until: dt.datetime


def _threshold(now: dt.datetime) -> dt.datetime:
    return now - settings.AXES_COOLOFF_TIME


def current_lockouts(kind: str, now: dt.datetime | None = None, *,
                     value: str | None = None) -> list[Lockout]:
    """The accounts (``kind="username"``) or addresses (``"ip_address"``) locked now."""
    if kind not in ("username", "ip_address"):
        raise ValueError(kind)
    now = now or timezone.now()
    attempts = AccessAttempt.objects.filter(attempt_time__gte=_threshold(now))
    if value is not None:
        attempts = attempts.filter(**{kind: value})
    rows = (
        attempts.exclude(**{f"{kind}__isnull": True})
        .values(kind)
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    return [
        Lockout(kind=kind, value=row[kind], failures=row["failures"], last_attempt=row["last"],
                locked_until=row["last"] + settings.AXES_COOLOFF_TIME)
        for row in rows
    ]


def lockout_of(kind: str, value: str, now: dt.datetime | None = None) -> Lockout | None:
    found = current_lockouts(kind, now, value=value)
    return found[0] if found else None


def recent_failures(username: str, now: dt.datetime | None = None) -> int:
    """Failed logins of ``username`` within the cool-off period (locked or not)."""
    now = now or timezone.now()
    total = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=_threshold(now)
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return int(total or 0)
