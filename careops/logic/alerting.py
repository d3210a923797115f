"""The pure parts of the alert pipeline (docs/monitoring-alerts.md): fingerprints,
flapping detection, root causes over the CMDB graph and grouping keys. No Django.

* :func:`fingerprint` — the identity of an alert: sha256 of source, name and the sorted
  identifying labels, so the same alert sent every 15 s is one alert.
* :func:`flap_percent` / :func:`next_flapping` — Nagios-style flap detection: the weighted
  share of the last ``slots`` time slots of the window that saw a state change (newer
  slots weigh more, 0.8 → 1.2), with hysteresis (start above one threshold, stop below a
  lower one).
* :func:`root_causes` — for every alerting item, the probable root cause: the deepest
  alerting item it depends on through the CMDB's dependency edges (itself when none).
* :func:`group_key` — which alerts share one alert group (one incident).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence

from careops.logic.impact import DEPENDENCY_TYPES, Graph

SEVERITY_ORDER: tuple[str, ...] = ("critical", "major", "warning", "info")
# Alerts that say an item is down: its dependents' alerts fold under it.
DOWN_NAMES = frozenset({"HostDown", "CheckFailed", "InstanceDown", "ServiceDown",
                        "TargetDown", "Unreachable"})


def fingerprint(source: str, name: str, labels: Mapping[str, str]) -> str:
    """sha256 (hex) of source, name and the labels sorted by key."""
    payload = json.dumps([source, name, sorted((str(k), str(v)) for k, v in labels.items())],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def worst_severity(severities: Iterable[str]) -> str:
    """The most severe of ``severities`` (unknown ones count least); "info" when empty."""
    ranks = [SEVERITY_ORDER.index(s) if s in SEVERITY_ORDER else len(SEVERITY_ORDER)
             for s in severities]
    best = min(ranks, default=len(SEVERITY_ORDER) - 1)
    return SEVERITY_ORDER[min(best, len(SEVERITY_ORDER) - 1)]


def severity_at_least(severity: str, minimum: str) -> bool:
    if severity not in SEVERITY_ORDER:
        return False
    return SEVERITY_ORDER.index(severity) <= SEVERITY_ORDER.index(minimum)


def is_root_candidate(name: str, severity: str) -> bool:
    """An alert that can explain the alerts of what depends on its item: the item is
    down (a failed check, HostDown …) or the alert is critical."""
    return name in DOWN_NAMES or severity == "critical"


# --- flapping -----------------------------------------------------------------------------

def prune_changes(changes: Sequence[dt.datetime], now: dt.datetime,
                  window: dt.timedelta) -> list[dt.datetime]:
    """The change instants inside ``(now - window, now]``, oldest first."""
    start = now - window
    return sorted(c for c in changes if start < c <= now)


def flap_percent(changes: Sequence[dt.datetime], now: dt.datetime, window: dt.timedelta,
                 slots: int = 20) -> float:
    """Percent state change (0–100) over the window ending at ``now``.

    The window is cut into ``slots`` equal slots (like Nagios' last 21 checks, 20 possible
    changes); a slot counts when at least one state change fell into it. Slots are weighted
    linearly from 0.8 (oldest) to 1.2 (newest), so a burst that is over counts less than
    one that is going on."""
    if slots < 1:
        raise ValueError("slots must be at least 1")
    if window <= dt.timedelta(0):
        raise ValueError("the window must be positive")
    start = now - window
    width = window / slots
    hit = [False] * slots
    for change in changes:
        if start < change <= now:
            index = min(slots - 1, int((change - start) / width))
            hit[index] = True
    weights = [0.8 + 0.4 * k / (slots - 1) if slots > 1 else 1.0 for k in range(slots)]
    total = sum(weights)
    share = sum(w for w, h in zip(weights, hit, strict=True) if h) / total
    return max(0.0, min(100.0, 100.0 * share))


def next_flapping(was_flapping: bool, percent: float, start: float, stop: float) -> bool:
    """Hysteresis: a steady alert starts flapping above ``start`` percent; a flapping one
    stops only below ``stop`` (``stop`` <= ``start``)."""
    if stop > start:
        raise ValueError("the stop threshold must not exceed the start threshold")
    if was_flapping:
        return percent >= stop
    return percent > start


# --- root causes -----------------------------------------------------------------------

def _dependencies(graph: Graph, item: int) -> list[int]:
    return [target for kind, target in graph.requires.get(item, ()) if kind in DEPENDENCY_TYPES]


def _reach(graph: Graph, item: int, candidates: Collection[int]) -> dict[int, int]:
    """The candidates ``item`` depends on (transitively), with their distance from it."""
    seen = {item: 0}
    found: dict[int, int] = {}
    queue = deque([item])
    while queue:
        current = queue.popleft()
        for nxt in _dependencies(graph, current):
            if nxt in seen:
                continue
            seen[nxt] = seen[current] + 1
            if nxt in candidates:
                found[nxt] = seen[nxt]
            queue.append(nxt)
    return found


def root_causes(graph: Graph, candidates: Collection[int],
                items: Iterable[int]) -> dict[int, int]:
    """For each of ``items`` (the items of firing alerts), its probable root cause: among
    the ``candidates`` (items whose alert can explain others, see
    :func:`is_root_candidate`) that it depends on through dependency edges — and itself,
    when it is one — those that depend on no other candidate ("bottoms"; in a cycle of
    candidates, the cycle's lowest id stands for it), the deepest first (the largest
    distance), ties to the lowest id. An item that depends on no candidate is its own
    root. The result depends only on the sets given, not on their order."""
    cands = frozenset(candidates)
    reach_cache: dict[int, dict[int, int]] = {}

    def reach(item: int) -> dict[int, int]:
        if item not in reach_cache:
            reach_cache[item] = _reach(graph, item, cands)
        return reach_cache[item]

    def representative(candidate: int) -> int | None:
        """The candidate standing for ``candidate`` if it is a bottom, else None."""
        below = reach(candidate)
        # a bottom: whatever candidate it depends on depends on it back (same cycle)
        if all(candidate in reach(other) for other in below):
            return min([candidate, *below])
        return None

    result: dict[int, int] = {}
    for item in items:
        if item in result:
            continue
        below = dict(reach(item))
        if item in cands:
            below.setdefault(item, 0)
        best: tuple[int, int] | None = None
        for candidate, distance in below.items():
            rep = representative(candidate)
            if rep is None:
                continue
            key = (-distance, rep)
            if best is None or key < best:
                best = key
        result[item] = best[1] if best is not None else item
    return result


# --- grouping --------------------------------------------------------------------------

def group_key(graph: Graph, root: int | None, fingerprint_: str) -> str:
    """The key of the alert group an alert joins: the most critical business system its
    root cause hits (alerts on anything HIS runs on make one HIS incident); the root item
    when it hits no system; the alert itself when it is on no known item."""
    if root is None or root not in graph.nodes:
        return f"alert:{fingerprint_}" if root is None else f"item:{root}"
    impact = graph.impact(root)
    if impact.systems:
        def order(system: int) -> tuple[int, int]:
            criticality = graph.nodes[system].criticality
            return (criticality if criticality is not None else 99, system)

        return f"system:{min(impact.systems, key=order)}"
    return f"item:{root}"


def affected_order(graph: Graph, root: int) -> list[int]:
    """The items a failure of ``root`` hits, nearest first, systems before the rest at
    the same distance (for the "affected: …" line of the incident)."""
    impact = graph.impact(root)

    def key(item: int) -> tuple[int, int, int]:
        return (len(impact.path_to(item)), 0 if graph.nodes[item].kind == "system" else 1,
                item)

    return sorted(impact.items, key=key)
