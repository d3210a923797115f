"""The data of the topology view: nodes and edges of the configuration graph that a
user may see, filtered by business system or network zone.

A fixed number of queries whatever the size of the graph: the graph itself comes from
``careops.cmdb.graph`` (cached), then one query for the items and one per class for
the attributes the view shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from careops.cmdb import health
from careops.cmdb.choices import ItemKind, ItemStatus, NetworkZone, RelationType
from careops.cmdb.graph import graph
from careops.cmdb.links import item_url_maker
from careops.cmdb.models import (
    BusinessSystem,
    ConfigItem,
    DatabaseInstance,
    Host,
    Interface,
    NetworkDevice,
    Service,
    StorageDevice,
)
from careops.core import access
from careops.logic import topology as logic

# The classes the view draws; rooms and the devices in them come with the rooms toggle.
LOGICAL_KINDS = (ItemKind.SYSTEM, ItemKind.HOST, ItemKind.DATABASE, ItemKind.SERVICE,
                 ItemKind.INTERFACE)
PHYSICAL_KINDS = (ItemKind.ROOM, ItemKind.NETWORK_DEVICE, ItemKind.STORAGE_DEVICE)

# Attributes of each class sent with its nodes: (model, {json key: field}).
ATTRIBUTES: dict[str, tuple[type[models.Model], dict[str, str]]] = {
    ItemKind.SYSTEM: (BusinessSystem, {"category": "category", "criticality": "criticality",
                                       "patient_safety": "patient_safety"}),
    ItemKind.HOST: (Host, {"zone": "network_zone", "hostname": "hostname",
                           "os_family": "os_family"}),
    ItemKind.DATABASE: (DatabaseInstance, {"engine": "engine"}),
    ItemKind.SERVICE: (Service, {"service_kind": "service_kind"}),
    ItemKind.INTERFACE: (Interface, {"protocol": "protocol"}),
    ItemKind.NETWORK_DEVICE: (NetworkDevice, {"zone": "network_zone"}),
    ItemKind.STORAGE_DEVICE: (StorageDevice, {"storage_kind": "storage_kind"}),
}


@dataclass(frozen=True)
class TopologyFilter:
    system: int | None = None
    zone: str | None = None
    rooms: bool = False

    @classmethod
    def from_query(cls, user: Any, params: Any) -> TopologyFilter:
        """Read ``system``, ``zone`` and ``rooms`` from a query string; ValidationError
        names the bad parameter (a system the user cannot see is unknown to him)."""
        errors: dict[str, str] = {}
        system: int | None = None
        raw_system = (params.get("system") or "").strip()
        if raw_system:
            visible = access.scope(user, BusinessSystem.objects.all())
            if not raw_system.isdigit() or not visible.filter(pk=int(raw_system)).exists():
                errors["system"] = _("Unknown business system: %(value)s") % {
                    "value": raw_system}
            else:
                system = int(raw_system)
        zone = (params.get("zone") or "").strip() or None
        if zone is not None and zone not in NetworkZone.values:
            errors["zone"] = _("Unknown network zone: %(value)s") % {"value": zone}
        if errors:
            raise ValidationError(errors)
        rooms = (params.get("rooms") or "").lower() in ("1", "on", "true", "yes")
        return cls(system=system, zone=zone, rooms=rooms)


def labels() -> dict[str, dict[str, str]]:
    """Display names of the values the nodes and edges carry."""
    def table(choices: Any) -> dict[str, str]:
        return {str(value): str(label) for value, label in choices}

    return {"kind": table(ItemKind.choices), "status": table(ItemStatus.choices),
            "relation": table(RelationType.choices), "zone": table(NetworkZone.choices),
            "health": table(health.Health.choices)}


def _zone_seeds(zone: str) -> set[int]:
    seeds = set(Host.objects.filter(network_zone=zone).values_list("pk", flat=True))
    seeds.update(NetworkDevice.objects.filter(network_zone=zone).values_list("pk", flat=True))
    return seeds


def visible_ids(user: Any) -> set[int] | None:
    """The items ``user`` may see (``None``: every item)."""
    if access.visible_system_ids(user) is None:
        return None
    return set(access.scope(user, ConfigItem.objects.all()).values_list("pk", flat=True))


def topology(user: Any, flt: TopologyFilter) -> dict[str, Any]:
    g = graph()
    kinds = set(LOGICAL_KINDS) | (set(PHYSICAL_KINDS) if flt.rooms else set())
    chosen = {pk for pk, node in g.nodes.items() if node.kind in kinds}
    if flt.system is not None:
        part = logic.system_neighbourhood(g, flt.system)
        chosen &= part | (logic.rooms_of(g, part) if flt.rooms else frozenset())
    if flt.zone is not None:
        part = logic.deployed_on(g, _zone_seeds(flt.zone))
        chosen &= part | (logic.rooms_of(g, part) if flt.rooms else frozenset())
    visible = visible_ids(user)
    if visible is not None:
        chosen &= visible

    attributes: dict[int, dict[str, Any]] = {}
    for kind in sorted(kinds & set(ATTRIBUTES)):
        model, fields = ATTRIBUTES[kind]
        for row in model._default_manager.values("pk", *fields.values()):
            attributes[row["pk"]] = {key: row[field] for key, field in fields.items()}
    url_of = item_url_maker()
    rows = (ConfigItem.objects.filter(kind__in=sorted(kinds))
            .values_list("pk", "name", "code", "kind", "status").order_by("kind", "code"))
    states = health.health_of(chosen)
    nodes = []
    for pk, name, code, item_kind, status in rows:
        if pk not in chosen:
            continue
        nodes.append({"id": pk, "name": name, "code": code, "kind": item_kind, "status": status,
                      "url": url_of(pk), "health": states.get(pk), **attributes.get(pk, {})})
    drawn = {node["id"] for node in nodes}
    edges = [{"source": s, "target": t, "type": kind}
             for s, kind, t in logic.edges_among(g, drawn)]
    return {
        "nodes": nodes,
        "edges": edges,
        "filters": {"system": flt.system, "zone": flt.zone, "rooms": flt.rooms},
        "labels": labels(),
    }


def impact_summary(user: Any, item: ConfigItem) -> dict[str, Any]:
    """What fails with ``item``, limited to the items ``user`` may see."""
    impact = graph().impact(item.pk)
    visible = visible_ids(user)
    affected = set(impact.items) if visible is None else impact.items & visible
    systems = BusinessSystem.objects.filter(pk__in=sorted(
        affected | ({item.pk} if item.kind == ItemKind.SYSTEM else set())))
    rows = list(systems.values("pk", "name", "criticality", "patient_safety")
                .order_by("criticality", "name"))
    return {
        "item": item.pk,
        "affected": sorted(affected),
        "systems": [{"id": r["pk"], "name": r["name"], "criticality": r["criticality"]}
                    for r in rows],
        "worst_criticality": min((r["criticality"] for r in rows), default=None),
        "patient_safety": any(r["patient_safety"] for r in rows),
    }
