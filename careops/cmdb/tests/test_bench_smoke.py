"""The impact benchmark's generator at a small size: a valid graph, and the three ways of
computing impact (pure graph, careops.cmdb.graph, recursive SQL) agree on every item.
A correctness test, not a timing test."""

from __future__ import annotations

from collections import defaultdict, deque
from typing import Any

import pytest

from bench import cmdb_impact
from careops.cmdb import graph as cmdb_graph
from careops.cmdb.models import ConfigItem, Relation
from careops.logic.impact import ALLOWED, CYCLE_TYPES


def test_it_generates_the_asked_mix_with_allowed_acyclic_relations() -> None:
    cmdb = cmdb_impact.generate(items=400, relations=1600, seed=7)
    kinds = {item.id: item.kind for item in cmdb.items}
    assert len(cmdb.items) == 400 and len(cmdb.edges()) == 1600
    assert len(cmdb.by_kind["system"]) == 24 and len(cmdb.by_kind["host"]) == 120
    for source, kind, target in cmdb.edges():
        sources, targets = ALLOWED[kind]
        assert kinds[source] in sources and kinds[target] in targets, (source, kind, target)
    # Kahn's algorithm over the cycle-checked edges empties the graph: no cycle.
    indegree: dict[int, int] = defaultdict(int)
    outgoing: dict[int, list[int]] = defaultdict(list)
    for source, kind, target in cmdb.edges():
        if kind in CYCLE_TYPES:
            outgoing[source].append(target)
            indegree[target] += 1
    queue = deque(i for i in kinds if indegree[i] == 0)
    removed = 0
    while queue:
        current = queue.popleft()
        removed += 1
        for nxt in outgoing[current]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                queue.append(nxt)
    assert removed == len(kinds)
    assert cmdb_impact.generate(items=400, relations=1600, seed=7).relations == cmdb.relations


@pytest.mark.django_db
def test_the_pure_graph_the_database_graph_and_recursive_sql_agree() -> None:
    cmdb = cmdb_impact.generate(items=300, relations=1200, seed=3)
    cmdb_impact.load_into_database(cmdb)
    assert ConfigItem.objects.count() == 300
    assert Relation.objects.count() == len(cmdb.relations)
    pure = cmdb.graph()
    sql = cmdb_impact.recursive_sql()
    nonempty = 0
    for item in cmdb.items:
        expected = pure.impact(item.id)
        assert cmdb_impact.sql_impact(sql, item.id) == expected.items, item.code
        from_db = cmdb_graph.impact_of(item.id)
        assert from_db.items == expected.items and from_db.systems == expected.systems
        assert from_db.worst_criticality == expected.worst_criticality
        nonempty += bool(expected.items)
    assert nonempty > 100  # the comparison is not trivially about empty sets


def test_percentiles_interpolate() -> None:
    values: list[Any] = [1.0, 2.0, 3.0, 4.0, 5.0]
    assert cmdb_impact.percentile(values, 50) == 3.0
    assert cmdb_impact.percentile(values, 95) == pytest.approx(4.8)
