"""Which part of the configuration graph a topology view shows. Pure Python (no Django).

The views pick a set of node ids (a business system's neighbourhood, what runs in a
network zone, what a user may see) and draw the edges among them: an edge is drawn
only when both of its ends are drawn, so a partial view never points at a node the
reader cannot see.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable

from careops.logic.impact import Graph

# Kinds directly "connected" to a business system in its neighbourhood view.
CONNECTED_KINDS = frozenset({"system", "interface"})
# Edges along which items are deployed onto hosts (what "runs in" a network zone).
DEPLOYMENT_TYPES = frozenset({"runs_on", "uses_database"})


def reverse_adjacency(graph: Graph, types: Collection[str]) -> dict[int, list[int]]:
    """target -> the sources of its incoming edges of ``types``."""
    incoming: dict[int, list[int]] = {}
    for source, edges in graph.requires.items():
        for kind, target in edges:
            if kind in types:
                incoming.setdefault(target, []).append(source)
    return incoming


def _kind(graph: Graph, item: int) -> str:
    node = graph.nodes.get(item)
    return node.kind if node is not None else ""


def neighbours(graph: Graph, item: int) -> set[int]:
    """Items one edge away from ``item``, whatever the direction or type."""
    near = {target for _, target in graph.requires.get(item, ())}
    near.update(graph.dependents.get(item, ()))
    # Edges of non-dependency types (backed_up_by) are only in ``requires``.
    near.update(source for source, edges in graph.requires.items()
                if any(target == item for _, target in edges))
    near.discard(item)
    return near


def system_neighbourhood(graph: Graph, system: int) -> frozenset[int]:
    """A business system, the items it owns (hosts, databases, its interfaces …), the
    systems and interfaces directly connected to it, and the systems at the other end
    of those interfaces."""
    nodes = set(graph.items_of_systems([system]))
    connected = {n for n in neighbours(graph, system) if _kind(graph, n) in CONNECTED_KINDS}
    nodes |= connected
    for interface in [n for n in nodes if _kind(graph, n) == "interface"]:
        nodes |= {n for n in neighbours(graph, interface) if _kind(graph, n) == "system"}
    return frozenset(nodes)


def deployed_on(graph: Graph, seeds: Iterable[int]) -> frozenset[int]:
    """``seeds`` (hosts, devices) and everything running on them or using what runs on
    them: databases and services on the hosts, systems on the hosts or using those
    databases, virtual machines on hypervisors …"""
    incoming = reverse_adjacency(graph, DEPLOYMENT_TYPES)
    seen = set(seeds)
    queue = deque(seen)
    while queue:
        current = queue.popleft()
        for source in incoming.get(current, ()):
            if source not in seen:
                seen.add(source)
                queue.append(source)
    return frozenset(seen)


def rooms_of(graph: Graph, items: Iterable[int]) -> frozenset[int]:
    """The rooms the given items are located in."""
    return frozenset(target for item in items
                     for kind, target in graph.requires.get(item, ()) if kind == "located_in")


def edges_among(graph: Graph, nodes: Collection[int]) -> list[tuple[int, str, int]]:
    """Every edge whose both ends are in ``nodes``, once each, in a stable order."""
    edges = {(source, kind, target)
             for source in nodes for kind, target in graph.requires.get(source, ())
             if target in nodes and target != source}
    return sorted(edges)
