"""The Prometheus file_sd / http_sd export of the CMDB (docs/cmdb.md).

Targets are the ``monitoring_endpoints`` of items in service (active or under
maintenance; planned and retired items are left out), grouped by network zone: a
host's or network device's own zone; databases and services take their host's zone.
``careops_systems`` names the business systems the item belongs to (the systems that
run on, use or are backed up by it, directly or through other items).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from careops.cmdb.choices import ItemStatus, NetworkZone
from careops.cmdb.graph import graph
from careops.cmdb.models import (
    BusinessSystem,
    ConfigItem,
    DatabaseInstance,
    Host,
    NetworkDevice,
    Service,
)
from careops.core import access
from careops.logic.file_sd import UNASSIGNED_ZONE, Group, Monitored, target_groups

IN_SERVICE = (ItemStatus.ACTIVE, ItemStatus.MAINTENANCE)
ZONES: tuple[str, ...] = (*NetworkZone.values, UNASSIGNED_ZONE)


def _zones() -> dict[int, str]:
    zone: dict[int, str] = {}
    for model in (Host, NetworkDevice):
        zone.update(model.objects.values_list("pk", "network_zone"))
    for hosted in (DatabaseInstance, Service):
        zone.update(hosted.objects.filter(host__isnull=False)
                    .values_list("pk", "host__network_zone"))
    return zone


def _systems_of_items() -> dict[int, set[str]]:
    """item id → codes of the business systems it belongs to."""
    current = graph()
    owners: dict[int, set[str]] = {}
    for pk, code in BusinessSystem.objects.values_list("pk", "code"):
        for item in current.items_of_systems([pk]):
            owners.setdefault(item, set()).add(code)
    return owners


def monitored(user: Any = None) -> list[Monitored]:
    """The monitorable items ``user`` may see (every item when ``user`` is None)."""
    queryset = ConfigItem.objects.filter(status__in=IN_SERVICE)
    if user is not None:
        queryset = access.scope(user, queryset)
    rows = [row for row in queryset.values_list("pk", "code", "kind", "monitoring_endpoints")
            if row[3]]
    if not rows:
        return []
    zones = _zones()
    systems = _systems_of_items()
    return [Monitored(code=code, kind=kind, zone=zones.get(pk, UNASSIGNED_ZONE),
                      systems=sorted(systems.get(pk, ())), endpoints=endpoints)
            for pk, code, kind, endpoints in rows]


def groups(user: Any = None, *, zone: str | None = None,
           job: str | None = None) -> list[Group]:
    """The target groups of one zone (or all), optionally of one exporter job."""
    by_zone = target_groups(monitored(user))
    selected = [by_zone.get(zone, [])] if zone else [by_zone[z] for z in sorted(by_zone)]
    return _of_job([g for part in selected for g in part], job)


def _of_job(groups: list[Group], job: str | None) -> list[Group]:
    return [g for g in groups if job is None or g["labels"]["job"] == job]  # type: ignore[index]


def write_files(directory: Path, zones: tuple[str, ...] = ZONES, *,
                job: str | None = None) -> list[Path]:
    """Write ``<zone>.json`` for each zone (an empty list when it has no targets, so
    Prometheus drops targets that went away). Each file is replaced atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    by_zone = target_groups(monitored())
    written = []
    for zone in zones:
        path = directory / f"{zone}.json"
        selected = _of_job(by_zone.get(zone, []), job)
        text = json.dumps(selected, ensure_ascii=False, indent=2) + "\n"
        handle, temp = tempfile.mkstemp(prefix=f".{zone}.", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.chmod(temp, 0o644)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        written.append(path)
    return written


def is_zone(value: str) -> bool:
    return value in ZONES
