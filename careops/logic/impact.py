"""Relations between configuration items as a graph: impact analysis, cycle checks and
the items that belong to business systems. Pure Python (no Django).

An edge ``(source, type, target)`` of a *dependency* type means "source needs target":
a system runs_on a host, uses_database a database, connects_via an interface; a host
is located_in a room. When an item fails, everything that (transitively) needs it is
affected — that is the impact.

Kinds are the ``ItemKind`` values of the CMDB ("system", "host", "database" …).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

DEPENDENCY_TYPES = frozenset({"runs_on", "uses_database", "depends_on", "connects_via",
                              "located_in"})
# Types whose cycles are meaningless (a host running on itself through others…).
# connects_via is left out: interfaces are derived edges and may link systems both ways.
CYCLE_TYPES = frozenset({"runs_on", "uses_database", "depends_on", "located_in",
                         "backed_up_by"})
# Outgoing edges from a system that reach "its" items (for vendor access).
OWNERSHIP_TYPES = frozenset({"runs_on", "uses_database", "connects_via", "backed_up_by"})

# Which kinds may stand on each side of a relation type.
ALLOWED: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "runs_on": (frozenset({"system", "database", "service", "host"}), frozenset({"host"})),
    "uses_database": (frozenset({"system", "service"}), frozenset({"database"})),
    "depends_on": (
        frozenset({"system", "service", "interface", "database", "host"}),
        frozenset({"system", "service", "interface", "database", "host", "network_device",
                   "storage_device"}),
    ),
    "connects_via": (frozenset({"system"}), frozenset({"interface"})),
    "located_in": (frozenset({"host", "network_device", "storage_device"}), frozenset({"room"})),
    "backed_up_by": (frozenset({"system", "host", "database"}), frozenset({"backup_job"})),
}


@dataclass(frozen=True)
class Node:
    id: int
    kind: str
    code: str = ""
    criticality: int | None = None  # business systems only; 1 = most critical
    patient_safety: bool = False
    departments: frozenset[int] = frozenset()


Edge = tuple[int, str, int]


@dataclass(frozen=True)
class Impact:
    item: int
    systems: frozenset[int]
    departments: frozenset[int]
    interfaces: frozenset[int]
    items: frozenset[int]  # every affected item, the failed one excluded
    worst_criticality: int | None
    patient_safety: bool
    # For each affected item, the item through which it is affected (to explain paths).
    via: Mapping[int, int] = field(default_factory=dict)

    def path_to(self, item: int) -> list[int]:
        """The chain from the failed item to ``item``: [failed, …, item]."""
        path = [item]
        while path[-1] != self.item:
            path.append(self.via[path[-1]])
        return path[::-1]


class RelationError(ValueError):
    """A relation that is not allowed. ``str()`` says why in English, naming the items;
    ``code`` and ``params`` let a caller say it in the user's language."""

    def __init__(self, code: str, message: str, **params: str) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class Graph:
    def __init__(self, nodes: Mapping[int, Node], edges: Iterable[Edge]) -> None:
        self.nodes = dict(nodes)
        self.edges = list(edges)
        self.dependents: dict[int, list[int]] = {}
        self.requires: dict[int, list[tuple[str, int]]] = {}
        for source, kind, target in self.edges:
            self.requires.setdefault(source, []).append((kind, target))
            if kind in DEPENDENCY_TYPES:
                self.dependents.setdefault(target, []).append(source)

    def impact(self, item: int) -> Impact:
        """Everything affected if ``item`` fails (breadth-first, cycles harmless)."""
        via: dict[int, int] = {}
        seen = {item}
        queue = deque([item])
        while queue:
            current = queue.popleft()
            for dependent in self.dependents.get(current, ()):
                if dependent not in seen:
                    seen.add(dependent)
                    via[dependent] = current
                    queue.append(dependent)
        affected = seen - {item}
        # The failed item itself counts among the systems hit when it is one.
        hit = affected | ({item} if self._kind(item) == "system" else set())
        systems = frozenset(i for i in hit if self._kind(i) == "system")
        criticalities = [c for i in systems if (c := self.nodes[i].criticality) is not None]
        departments: set[int] = set()
        for system in systems:
            departments |= self.nodes[system].departments
        return Impact(
            item=item,
            systems=systems,
            departments=frozenset(departments),
            interfaces=frozenset(i for i in affected if self._kind(i) == "interface"),
            items=frozenset(affected),
            worst_criticality=min(criticalities) if criticalities else None,
            patient_safety=any(self.nodes[s].patient_safety for s in systems),
            via=via,
        )

    def _kind(self, item: int) -> str:
        node = self.nodes.get(item)
        return node.kind if node is not None else ""

    def check_new_relation(self, source: int, kind: str, target: int) -> None:
        """Raise RelationError if ``source kind target`` is not allowed."""
        if source == target:
            raise RelationError("self", f"{self._label(source)} cannot relate to itself",
                                item=self._label(source))
        allowed = ALLOWED.get(kind)
        if allowed is None:
            raise RelationError("unknown_type", f"unknown relation type {kind!r}", type=kind)
        sources, targets = allowed
        labels = {"source": self._label(source), "source_kind": self._kind(source),
                  "type": kind, "target": self._label(target),
                  "target_kind": self._kind(target)}
        if self._kind(source) not in sources or self._kind(target) not in targets:
            raise RelationError(
                "pair", f"{self._label(source)} ({self._kind(source)}) cannot be {kind} "
                f"{self._label(target)} ({self._kind(target)})", **labels)
        if (kind, target) in self.requires.get(source, []):
            raise RelationError(
                "exists", f"{self._label(source)} is already {kind} {self._label(target)}",
                **labels)
        if kind in CYCLE_TYPES:
            cycle = self.find_path(target, source)
            if cycle is not None:
                names = " → ".join(self._label(i) for i in [source, *cycle])
                raise RelationError("cycle", f"this relation would make a cycle: {names}",
                                    path=names)

    def with_edge(self, edge: Edge) -> Graph:
        """A new graph with one more edge (this one is shared between threads: never
        changed in place)."""
        return Graph(self.nodes, [*self.edges, edge])

    def find_path(self, start: int, goal: int) -> list[int] | None:
        """A path start → … → goal over cycle-checked edges, or None."""
        previous: dict[int, int] = {}
        seen = {start}
        queue = deque([start])
        while queue:
            current = queue.popleft()
            if current == goal:
                path = [goal]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return path[::-1]
            for kind, nxt in self.requires.get(current, ()):
                if kind in CYCLE_TYPES and nxt not in seen:
                    seen.add(nxt)
                    previous[nxt] = current
                    queue.append(nxt)
        return None

    def items_of_systems(self, systems: Iterable[int]) -> frozenset[int]:
        """The systems and every item they reach through ownership edges."""
        seen = set(systems)
        queue = deque(seen)
        while queue:
            current = queue.popleft()
            for kind, nxt in self.requires.get(current, ()):
                if kind in OWNERSHIP_TYPES and nxt not in seen:
                    # Another business system is never "owned" by this one.
                    if self._kind(nxt) == "system":
                        continue
                    seen.add(nxt)
                    queue.append(nxt)
        return frozenset(seen)

    def _label(self, item: int) -> str:
        node = self.nodes.get(item)
        return node.code if node is not None and node.code else f"#{item}"
