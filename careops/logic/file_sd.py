"""Prometheus service discovery from the CMDB: target groups by network zone. Pure Python.

Prometheus ``file_sd_configs`` and ``http_sd_configs`` both read a JSON list of
target groups::

    [{"targets": ["10.1.2.10:9100"],
      "labels": {"job": "node", "careops_zone": "internal", "careops_item": "SRV-LIS",
                 "careops_kind": "host", "careops_systems": "LIS"}}]

One group is made per item, exporter job and metrics path; label values are strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Items with no network zone of their own or through their host (a business system's
# application endpoint, a storage array …) are grouped under this zone name.
UNASSIGNED_ZONE = "unassigned"

LABEL_JOB = "job"
LABEL_ZONE = "careops_zone"
LABEL_ITEM = "careops_item"
LABEL_KIND = "careops_kind"
LABEL_SYSTEMS = "careops_systems"
LABEL_PATH = "__metrics_path__"

Group = dict[str, object]


@dataclass(frozen=True)
class Monitored:
    """An item with its monitoring endpoints ([{"job", "target", "path"?}, …])."""

    code: str
    kind: str
    zone: str
    systems: Sequence[str]
    endpoints: Sequence[Mapping[str, str]]


def target_groups(items: Iterable[Monitored]) -> dict[str, list[Group]]:
    """zone → its target groups, zones and groups in a stable (sorted) order."""
    grouped: dict[tuple[str, str, str, str], list[str]] = {}
    labels: dict[tuple[str, str, str, str], dict[str, str]] = {}
    for item in items:
        zone = item.zone or UNASSIGNED_ZONE
        for endpoint in item.endpoints:
            job = str(endpoint["job"])
            path = str(endpoint.get("path") or "")
            key = (zone, item.code, job, path)
            targets = grouped.setdefault(key, [])
            target = str(endpoint["target"])
            if target not in targets:
                targets.append(target)
            if key not in labels:
                group_labels = {
                    LABEL_JOB: job,
                    LABEL_ZONE: zone,
                    LABEL_ITEM: item.code,
                    LABEL_KIND: item.kind,
                    LABEL_SYSTEMS: ",".join(sorted(set(item.systems))),
                }
                if path:
                    group_labels[LABEL_PATH] = path
                labels[key] = group_labels
    zones: dict[str, list[Group]] = {}
    for key in sorted(grouped):
        zones.setdefault(key[0], []).append(
            {"targets": sorted(grouped[key]), "labels": labels[key]})
    return zones
