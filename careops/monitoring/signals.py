"""Keep managed checks in step with the CMDB: every save of a configuration item (of any
class) syncs its scrape checks with its monitoring endpoints."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from careops.cmdb.models import ConfigItem


def _item_saved(sender: type[Any], instance: Any, created: bool, raw: bool = False,
                **kwargs: Any) -> None:
    if raw or not isinstance(instance, ConfigItem):
        return
    from careops.monitoring.actions.checks import sync_item_checks
    from careops.monitoring.models import Check

    if not instance.monitoring_endpoints and (
            created or not Check.objects.filter(item_id=instance.pk, managed=True).exists()):
        return  # nothing to add and nothing to remove: no work on bulk imports
    sync_item_checks(instance)


def install() -> None:
    post_save.connect(_item_saved, dispatch_uid="monitoring.sync_item_checks")
