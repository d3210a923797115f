"""Object-level access: which rows of a model a user may see or change.

Hospital roles (admin, IT engineer) and the auditor see every business object.
Vendor engineers see only the objects of the business systems under their own
contracts; department users only those of their department's systems, read-only.
The platform administrators (系统/安全/审计管理员) see no business data at all.

A module makes a model scoped by registering the path from it to the business
system, once, at import time::

    access.register(Host, system_path="systems")           # Host.systems -> BusinessSystem
    access.register(BusinessSystem, system_path="")         # the system itself

and the CMDB registers the resolver that names a user's systems::

    access.set_system_resolver(lambda user: {"vendor": ids_for_vendor, ...})

Views, API viewsets and tasks call :func:`scope`, :func:`can_view` and
:func:`can_change`; nothing else filters by role.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models

from careops.core.choices import Role
from careops.core.roles import Cap, has_cap

M = TypeVar("M", bound=models.Model)

# Roles that see every business object without restriction.
UNRESTRICTED_ROLES = frozenset({Role.HOSPITAL_ADMIN, Role.IT_ENGINEER, Role.AUDITOR})
# Roles whose view is limited to the systems the resolver names for them.
SCOPED_ROLES = frozenset({Role.VENDOR_ENGINEER, Role.DEPARTMENT_USER})


ScopeFunction = Callable[[Any, models.QuerySet[Any], Collection[int]], models.QuerySet[Any]]


@dataclass(frozen=True)
class ScopeRule:
    system_path: str  # lookup from the model to the business system ("" = the model is one)
    # Or a function (user, queryset, visible system ids) -> the visible rows, for models whose
    # link to systems is a graph rather than a lookup path (configuration items).
    function: ScopeFunction | None = None


_rules: dict[type[models.Model], ScopeRule] = {}
SystemResolver = Callable[[Any], Collection[int]]
_resolver: SystemResolver | None = None


def register(model: type[models.Model], *, system_path: str = "",
             function: ScopeFunction | None = None) -> None:
    _rules[model] = ScopeRule(system_path=system_path, function=function)


def set_system_resolver(resolver: SystemResolver | None) -> None:
    """``resolver(user)`` returns the ids of the business systems the user may see."""
    global _resolver
    _resolver = resolver


def visible_system_ids(user: Any) -> Collection[int] | None:
    """``None`` means every system; otherwise the ids the user may see."""
    if not has_cap(user, Cap.VIEW_OPERATIONS):
        return ()
    if user.role in UNRESTRICTED_ROLES:
        return None
    if user.role in SCOPED_ROLES and _resolver is not None:
        return _resolver(user)
    return ()


def scope(user: Any, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """The rows of ``queryset`` that ``user`` may see."""
    rule = next((_rules[m] for m in queryset.model.__mro__ if m in _rules), None)
    if rule is None:
        raise LookupError(f"{queryset.model.__name__} is not registered with careops.core.access")
    ids = visible_system_ids(user)
    if ids is None:
        return queryset
    if not ids:
        return queryset.none()
    if rule.function is not None:
        return rule.function(user, queryset, ids)
    lookup = f"{rule.system_path}__in" if rule.system_path else "pk__in"
    return queryset.filter(**{lookup: list(ids)}).distinct()


def can_view(user: Any, obj: models.Model) -> bool:
    return scope(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def can_change(user: Any, obj: models.Model) -> bool:
    if not has_cap(user, Cap.CHANGE_OPERATIONS):
        return False
    return can_view(user, obj)
