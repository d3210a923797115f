"""The CMDB as a ``careops.logic.impact.Graph``, loaded from the database.

Edges come from the Relation table and from the foreign keys that are relations in
disguise (a database's host, a host's room, an interface's systems). The graph is
cached per process and reloaded when items or relations change.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db.models import Count, Max

from careops.cmdb.choices import InterfaceDirection, ItemKind
from careops.cmdb.models import (
    BusinessSystem,
    ConfigItem,
    DatabaseInstance,
    Host,
    Interface,
    NetworkDevice,
    Relation,
    Service,
    StorageDevice,
)
from careops.logic.impact import Edge, Graph, Impact, Node

_lock = threading.Lock()
_cached: tuple[Any, Graph] | None = None


def _version() -> tuple[Any, ...]:
    items = ConfigItem.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    relations = Relation.objects.aggregate(n=Count("id"), m=Max("id"), c=Max("created_at"))
    return (items["n"], items["t"], relations["n"], relations["m"], relations["c"])


def derived_edges() -> list[Edge]:
    """Edges that foreign keys imply."""
    edges: list[Edge] = []
    hosted: tuple[type[DatabaseInstance] | type[Service], ...] = (DatabaseInstance, Service)
    for hosted_model in hosted:
        rows = hosted_model.objects.filter(host__isnull=False).values_list("pk", "host_id")
        for pk, host in rows:
            edges.append((pk, "runs_on", host))
    placed: tuple[type[Host] | type[NetworkDevice] | type[StorageDevice], ...] = (
        Host, NetworkDevice, StorageDevice)
    for placed_model in placed:
        placed_rows = placed_model.objects.filter(room__isnull=False).values_list("pk", "room_id")
        for pk, room in placed_rows:
            edges.append((pk, "located_in", room))
    for pk, src, dst, direction in Interface.objects.values_list(
            "pk", "source_system_id", "target_system_id", "direction"):
        edges.append((dst, "connects_via", pk))
        edges.append((pk, "depends_on", src))
        if direction == InterfaceDirection.TWO_WAY:
            edges.append((src, "connects_via", pk))
            edges.append((pk, "depends_on", dst))
    return edges


def load_graph() -> Graph:
    systems = {
        s["pk"]: s for s in BusinessSystem.objects.values("pk", "criticality", "patient_safety")
    }
    departments: dict[int, set[int]] = {}
    for system_id, department_id in BusinessSystem.departments.through.objects.values_list(
            "businesssystem_id", "department_id"):
        departments.setdefault(system_id, set()).add(department_id)
    nodes = {}
    for pk, kind, code in ConfigItem.objects.values_list("pk", "kind", "code"):
        system = systems.get(pk)
        nodes[pk] = Node(
            id=pk, kind=kind, code=code,
            criticality=system["criticality"] if system else None,
            patient_safety=bool(system and system["patient_safety"]),
            departments=frozenset(departments.get(pk, ())),
        )
    edges: list[Edge] = list(Relation.objects.values_list("source_id", "type", "target_id"))
    edges += derived_edges()
    return Graph(nodes, edges)


def graph() -> Graph:
    """The current graph (reloaded when anything changed since the last call)."""
    global _cached
    version = _version()
    with _lock:
        if _cached is not None and _cached[0] == version:
            return _cached[1]
    loaded = load_graph()
    with _lock:
        _cached = (version, loaded)
    return loaded


def current() -> tuple[tuple[Any, ...], Graph]:
    """The graph and the database version it reflects."""
    version = _version()
    with _lock:
        if _cached is not None and _cached[0] == version:
            return _cached
    return version, graph()


def relation_added(before: tuple[Any, ...], base: Graph, relation: Relation) -> None:
    """Add a just-saved relation to the cached graph instead of reloading everything —
    but only if the database shows that this relation is the only change since
    ``before`` (the version ``base`` reflects). Anything else: the next call reloads."""
    global _cached
    expected = (before[0], before[1], before[2] + 1, relation.pk, relation.created_at)
    if _version() != expected:
        return
    updated = base.with_edge((relation.source_id, relation.type, relation.target_id))
    with _lock:
        _cached = (expected, updated)


def invalidate() -> None:
    global _cached
    with _lock:
        _cached = None


def impact_of(item: ConfigItem | int) -> Impact:
    pk = item if isinstance(item, int) else item.pk
    return graph().impact(pk)


def is_system(item: ConfigItem) -> bool:
    return item.kind == ItemKind.SYSTEM
