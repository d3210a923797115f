"""Who sees which configuration items (registered with careops.core.access).

Until contracts exist, a vendor's systems are those it maintains
(``BusinessSystem.maintainers``); a vendor engineer sees those systems and every
item they run on, use or are backed up by. A department user sees the systems that
serve their department (read-only: the role has no change capability).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import models

from careops.core import access
from careops.core.choices import Role


def systems_for(user: Any) -> set[int]:
    from careops.cmdb.models import BusinessSystem

    if user.role == Role.VENDOR_ENGINEER:
        qs = BusinessSystem.objects.filter(maintainers__engineers=user)
    elif user.role == Role.DEPARTMENT_USER:
        qs = BusinessSystem.objects.filter(departments__members=user)
    else:
        return set()
    return set(qs.values_list("pk", flat=True))


def users_of_systems(system_ids: Any) -> models.Q:
    """The reverse of :func:`systems_for` as one filter on users: the vendor engineers and
    department users whose systems include any of ``system_ids`` (ids, or a ``values()``
    subquery of them). Join rows repeat users: filter with ``pk__in`` on it."""
    return (models.Q(role=Role.VENDOR_ENGINEER, vendors__maintained_systems__in=system_ids)
            | models.Q(role=Role.DEPARTMENT_USER, departments__systems__in=system_ids))


def scope_items(user: Any, queryset: models.QuerySet[Any],
                system_ids: Collection[int]) -> models.QuerySet[Any]:
    """Department users: their systems only. Vendor engineers: their systems' items."""
    if user.role == Role.DEPARTMENT_USER:
        return queryset.filter(pk__in=sorted(system_ids))
    from careops.cmdb.graph import graph

    visible = graph().items_of_systems(system_ids)
    return queryset.filter(pk__in=sorted(visible))


def scope_records(user: Any, queryset: models.QuerySet[Any],
                  system_ids: Collection[int]) -> models.QuerySet[Any]:
    """Sites, buildings, floors, departments, vendors and contacts — the hospital's whole
    directory, with its people — are for the roles that see every system. ``access.scope``
    calls this only for scoped users (vendor engineers, department users): nothing.
    The pages (careops.cmdb.views.common.records_visible) and the export apply the same rule."""
    return queryset.none()


def install() -> None:
    from careops.cmdb.models import Building, ConfigItem, Contact, Department, Floor, Site, Vendor

    access.register(ConfigItem, function=scope_items)
    for record in (Site, Building, Floor, Department, Vendor, Contact):
        access.register(record, function=scope_records)
    access.set_system_resolver(systems_for)
