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
from careops.core.roles import CAPABILITIES, Cap, has_cap


def _tickets(user: Any, queryset: models.QuerySet[Any],
             system_ids: Collection[int]) -> models.QuerySet[Any]:
    """The systems' tickets — a correlated EXISTS on the ticket ⟷ system table, one index
    probe per ticket looked at — or the user's own. A newest-first page walks the
    opened_at index and stops after a page. Measured on 1,000,000 tickets
    (bench/sla_recompute_db.py): an uncorrelated ``pk IN (…)`` hashes only while the
    systems' tickets fit in work_mem; past that PostgreSQL rescans the list for every row
    (a filtered page took 28.6 s, a capped count did not finish in 5 minutes, against
    39 ms and 45 ms with EXISTS); an OR across the join read the whole table."""
    through = queryset.model.systems.through
    of_systems = through.objects.filter(ticket_id=models.OuterRef("pk"),
                                        businesssystem_id__in=sorted(system_ids))
    return queryset.filter(models.Exists(of_systems) | models.Q(reporter=user)
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


def workers(ticket: Any) -> models.QuerySet[Any]:
    """The active users who may work on ``ticket`` (``actions.may_work``: the change
    capability and the right to see it), in one query instead of a check per user: the
    hospital's roles see every ticket; a scoped role (a vendor engineer) through the
    ticket's systems (careops.cmdb.scoping.users_of_systems) or as its reporter or
    assignee."""
    from django.contrib.auth import get_user_model

    from careops.cmdb.scoping import users_of_systems

    working = [role for role, caps in CAPABILITIES.items()
               if Cap.CHANGE_OPERATIONS in caps and Cap.VIEW_OPERATIONS in caps]
    unrestricted = sorted(r for r in working if r in access.UNRESTRICTED_ROLES)
    scoped = sorted(r for r in working if r in access.SCOPED_ROLES)
    users = get_user_model().objects.filter(is_active=True)
    systems = ticket.systems.through.objects.filter(ticket_id=ticket.pk) \
        .order_by().values("businesssystem_id")
    of_systems = users.filter(users_of_systems(systems)).order_by().values("pk")
    own = models.Q(pk__in=[pk for pk in (ticket.reporter_id, ticket.assignee_id) if pk])
    return users.filter(models.Q(role__in=unrestricted)
                        | models.Q(role__in=scoped) & (models.Q(pk__in=of_systems) | own)) \
        .order_by("username")


def install() -> None:
    from careops.servicedesk.models import Ticket

    access.register(Ticket, function=_tickets)
