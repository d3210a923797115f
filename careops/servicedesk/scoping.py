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
from careops.core.roles import Cap, has_cap


def _tickets(user: Any, queryset: models.QuerySet[Any],
             system_ids: Collection[int]) -> models.QuerySet[Any]:
    """The systems' tickets as one uncorrelated subquery on the ticket ⟷ system table
    (the database hashes it once), or the user's own. A newest-first page then walks the
    opened_at index and stops after a page; an OR across the join instead read the whole
    ticket table for every page."""
    through = queryset.model.systems.through
    of_systems = through.objects.filter(businesssystem_id__in=sorted(system_ids)) \
        .order_by().values("ticket_id")
    return queryset.filter(models.Q(pk__in=of_systems) | models.Q(reporter=user)
                           | models.Q(assignee=user))


def visible(user: Any, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """The tickets ``user`` may see. Like ``access.scope``, except that a scoped user
    without any system (a department user in no department yet) still sees the tickets
    he reported or was given."""
    if not has_cap(user, Cap.VIEW_OPERATIONS):
        return queryset.none()
    ids = access.visible_system_ids(user)
    if ids is None:
        return queryset
    return _tickets(user, queryset, ids or ())


def can_view(user: Any, ticket: Any) -> bool:
    return visible(user, type(ticket)._default_manager.filter(pk=ticket.pk)).exists()


def install() -> None:
    from careops.servicedesk.models import Ticket

    access.register(Ticket, function=_tickets)
