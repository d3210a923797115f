"""Who sees which contract: hospital roles and the auditor all of them, a vendor engineer
those covering the systems he maintains; department users none (commercial terms).

An obligation occurrence is seen by whoever sees its contract (:func:`visible_occurrences`)
and worked on (completed, assigned) by those of them with working rights
(:func:`may_work_occurrence`)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import models

from careops.core import access
from careops.core.choices import Role
from careops.core.roles import Cap, has_cap


def _contracts(user: Any, queryset: models.QuerySet[Any],
               system_ids: Collection[int]) -> models.QuerySet[Any]:
    if user.role == Role.DEPARTMENT_USER:
        return queryset.none()
    return queryset.filter(systems__in=list(system_ids)).distinct()


def _occurrences(user: Any, queryset: models.QuerySet[Any],
                 system_ids: Collection[int]) -> models.QuerySet[Any]:
    from careops.contracts.models import ContractProfile

    profiles = _contracts(user, ContractProfile.objects.all(), system_ids)
    return queryset.filter(profile__in=profiles.values("pk"))


def visible_occurrences(user: Any, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """The obligation occurrences of the contracts ``user`` may see."""
    return access.scope(user, queryset)


def can_view_occurrence(user: Any, occurrence: Any) -> bool:
    return access.can_view(user, occurrence)


def may_work_occurrence(user: Any, occurrence: Any) -> bool:
    """Complete or assign it: working rights and a view of its contract."""
    return has_cap(user, Cap.CHANGE_OPERATIONS) and can_view_occurrence(user, occurrence)


def install() -> None:
    from careops.contracts.models import ContractProfile, ObligationOccurrence

    access.register(ContractProfile, function=_contracts)
    access.register(ObligationOccurrence, function=_occurrences)
