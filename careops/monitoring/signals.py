"""Keep managed checks in step with the CMDB: every save of a configuration item (of any
class) syncs its scrape checks with its monitoring endpoints, and retiring it stops all
its checks."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from careops.cmdb.choices import ItemStatus
from careops.cmdb.models import ConfigItem


def _item_saved(sender: type[Any], instance: Any, created: bool, raw: bool = False,
                **kwargs: Any) -> None:
    if raw or not isinstance(instance, ConfigItem):
        return
    from careops.monitoring.actions.checks import sync_item_checks
    from careops.monitoring.models import Check

    if created and not instance.monitoring_endpoints:
        return  # nothing to add: no work on bulk imports
    if not created:
        checks = Check.objects.filter(item_id=instance.pk)
        retired = instance.status == ItemStatus.RETIRED
        if not instance.monitoring_endpoints and not checks.filter(managed=True).exists() \
                and not (retired and checks.filter(enabled=True).exists()):
            return  # nothing to add, remove or stop
    sync_item_checks(instance)


def install() -> None:
    post_save.connect(_item_saved, dispatch_uid="monitoring.sync_item_checks")
