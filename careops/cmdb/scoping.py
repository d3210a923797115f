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


def scope_items(user: Any, queryset: models.QuerySet[Any],
                system_ids: Collection[int]) -> models.QuerySet[Any]:
    """Department users: their systems only. Vendor engineers: their systems' items."""
    if user.role == Role.DEPARTMENT_USER:
        return queryset.filter(pk__in=sorted(system_ids))
    from careops.cmdb.graph import graph

    visible = graph().items_of_systems(system_ids)
    return queryset.filter(pk__in=sorted(visible))


def scope_contacts(user: Any, queryset: models.QuerySet[Any],
                   system_ids: Collection[int]) -> models.QuerySet[Any]:
    """Contacts of the vendors and departments of the user's systems."""
    ids = sorted(system_ids)
    return queryset.filter(models.Q(vendor__maintained_systems__in=ids)
                           | models.Q(department__systems__in=ids)).distinct()


def scope_locations(user: Any, queryset: models.QuerySet[Any],
                    system_ids: Collection[int]) -> models.QuerySet[Any]:
    """Sites, buildings and floors are the shared map of the hospital."""
    return queryset


def install() -> None:
    from careops.cmdb.models import Building, ConfigItem, Contact, Department, Floor, Site, Vendor

    access.register(ConfigItem, function=scope_items)
    # Plain records: scoped users see those around their systems (read-only: only
    # Cap.MANAGE_ITEMS changes them, see careops.cmdb.actions.items).
    access.register(Department, system_path="systems")
    access.register(Vendor, system_path="maintained_systems")
    access.register(Contact, function=scope_contacts)
    for location in (Site, Building, Floor):
        access.register(location, function=scope_locations)
    access.set_system_resolver(systems_for)
