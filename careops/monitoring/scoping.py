"""Who sees which alert, check and maintenance window (registered with careops.core.access).

Hospital roles and the auditor see them all. A vendor engineer or department user sees
the alerts and checks on the items he may see (careops.cmdb.scoping) and, of alert groups, those
holding such an alert; alerts on no known item are for the hospital's roles only.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import models

from careops.cmdb.models import ConfigItem
from careops.core import access


def _items(user: Any) -> models.QuerySet[Any]:
    return access.scope(user, ConfigItem.objects.all()).values("pk")


def _alerts(user: Any, queryset: models.QuerySet[Any],
            system_ids: Collection[int]) -> models.QuerySet[Any]:
    return queryset.filter(item__in=_items(user))


def _groups(user: Any, queryset: models.QuerySet[Any],
            system_ids: Collection[int]) -> models.QuerySet[Any]:
    from careops.monitoring.models import Alert

    ids = Alert.objects.filter(item__in=_items(user)).values("group_id")
    return queryset.filter(pk__in=ids)


def _windows(user: Any, queryset: models.QuerySet[Any],
             system_ids: Collection[int]) -> models.QuerySet[Any]:
    return queryset.filter(pk__in=queryset.filter(items__in=_items(user)).values("pk"))


def _checks(user: Any, queryset: models.QuerySet[Any],
            system_ids: Collection[int]) -> models.QuerySet[Any]:
    return queryset.filter(item__in=_items(user))


def install() -> None:
    from careops.monitoring.models import Alert, AlertGroup, Check, MaintenanceWindow

    access.register(Alert, function=_alerts)
    access.register(AlertGroup, function=_groups)
    access.register(MaintenanceWindow, function=_windows)
    access.register(Check, function=_checks)
