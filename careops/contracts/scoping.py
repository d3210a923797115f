"""Who sees which contract: hospital roles and the auditor all of them, a vendor engineer
those covering the systems he maintains; department users none (commercial terms)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import models

from careops.core import access
from careops.core.choices import Role


def _contracts(user: Any, queryset: models.QuerySet[Any],
               system_ids: Collection[int]) -> models.QuerySet[Any]:
    if user.role == Role.DEPARTMENT_USER:
        return queryset.none()
    return queryset.filter(systems__in=list(system_ids)).distinct()


def install() -> None:
    from careops.contracts.models import ContractProfile

    access.register(ContractProfile, function=_contracts)
