"""Who sees which ticket (registered with careops.core.access).

Hospital roles and the auditor see every ticket. A vendor engineer sees the tickets
of the systems he maintains and those assigned to him; a department user those of
his department's systems and those he reported himself.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import models

from careops.core import access


def _tickets(user: Any, queryset: models.QuerySet[Any],
             system_ids: Collection[int]) -> models.QuerySet[Any]:
    mine = models.Q(reporter=user) | models.Q(assignee=user)
    ids = queryset.filter(models.Q(systems__in=sorted(system_ids)) | mine).values("pk")
    return queryset.filter(pk__in=ids)


def install() -> None:
    from careops.servicedesk.models import Ticket

    access.register(Ticket, function=_tickets)
