"""The health of configuration items, as the topology and location views show it.

The CMDB does not measure health itself: the monitoring module registers a provider
once (``health.set_provider(fn)``) and ``fn(item_ids)`` returns
``{item_id: "ok" | "warning" | "critical" | "unknown"}`` for the items it knows.
Items it does not name, or every item while no provider is registered, have no
health (``None``), which the views show as "unknown".
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from django.db import models
from django.utils.translation import gettext_lazy as _


class Health(models.TextChoices):
    OK = "ok", _("Healthy")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")
    UNKNOWN = "unknown", _("Unknown")


Provider = Callable[[Collection[int]], Mapping[int, str]]
_provider: Provider | None = None


def set_provider(provider: Provider | None) -> None:
    global _provider
    _provider = provider


SEVERITY = {Health.CRITICAL: 3, Health.WARNING: 2, Health.OK: 1, Health.UNKNOWN: 0}


def worst(states: Collection[str | None]) -> str:
    """The worst of several health states ("unknown" when none is known)."""
    known = [s for s in states if s]
    return max(known, key=lambda s: SEVERITY[Health(s)]) if known else Health.UNKNOWN.value


def health_of(item_ids: Collection[int]) -> dict[int, str | None]:
    """The health of each item (``None`` when nothing reports on it)."""
    known: Mapping[int, str] = _provider(item_ids) if _provider is not None and item_ids else {}
    valid = set(Health.values)
    return {pk: (state if (state := known.get(pk)) in valid else None) for pk in item_ids}
