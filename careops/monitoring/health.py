"""Live health of configuration items, from monitoring: what the CMDB's topology and
location views colour items by (careops.cmdb.health), and the per-system overview.

- critical: a firing alert of severity critical or major on the item (also when it is
  folded under its root cause: the item is affected all the same);
- warning: a firing warning or info alert, or a check that failed without an alert yet;
- ok: the item has enabled checks, all answering, and no firing alert;
- no entry (shown as unknown): nothing watches the item.
Alerts muted by a maintenance window do not colour the item: the work is planned.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from careops.cmdb.health import Health, worst
from careops.monitoring.choices import CheckStatus, Suppression

SEVERE = ("critical", "major")


def item_health(item_ids: Collection[int]) -> dict[int, str]:
    from careops.monitoring.models import Alert, Check

    ids = list(item_ids)
    states: dict[int, str] = {}
    checks = (Check.objects.filter(item_id__in=ids, enabled=True)
              .values_list("item_id", "last_status"))
    for item_id, status in checks:
        if status in (CheckStatus.OK, CheckStatus.PENDING):
            states.setdefault(item_id, Health.OK)
        else:
            states[item_id] = Health.WARNING
    alerts = (Alert.objects.filter(item_id__in=ids, status="firing")
              .exclude(suppression=Suppression.MAINTENANCE)
              .values_list("item_id", "severity"))
    for item_id, severity in alerts:
        state = Health.CRITICAL if severity in SEVERE else Health.WARNING
        states[item_id] = worst([states.get(item_id), state])
    return {pk: str(state) for pk, state in states.items()}


def system_health(systems: Iterable[int], owned: Mapping[int, Collection[int]]
                  ) -> dict[int, str]:
    """The worst health over each system and the items it owns (``owned``: system →
    item ids, the system itself included)."""
    every = {pk for members in owned.values() for pk in members}
    known = item_health(every)
    return {system: worst([known.get(pk) for pk in owned.get(system, ())])
            for system in systems}


def install() -> None:
    from careops.cmdb import health

    health.set_provider(item_health)
