"""The pure graph logic: impact, cycles, ownership (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careops.logic.impact import Graph, Node, RelationError

NODES = {
    1: Node(1, "system", "HIS", criticality=1, patient_safety=True, departments=frozenset({7})),
    2: Node(2, "system", "LIS", criticality=2, departments=frozenset({8})),
    3: Node(3, "host", "SRV-LIS"),
    4: Node(4, "database", "DB-LIS"),
    5: Node(5, "interface", "IF-HIS-LIS"),
    6: Node(6, "room", "DC-1"),
    9: Node(9, "host", "HV-1"),
    10: Node(10, "backup_job", "BK-LIS"),
}
EDGES = [
    (2, "runs_on", 3), (2, "uses_database", 4), (4, "runs_on", 3), (3, "located_in", 6),
    (2, "connects_via", 5), (5, "depends_on", 1), (3, "runs_on", 9), (2, "backed_up_by", 10),
]


def test_it_finds_what_a_host_failure_hits() -> None:
    impact = Graph(NODES, EDGES).impact(3)
    assert impact.systems == {2}
    assert impact.items == {2, 4}
    assert impact.departments == {8}
    assert impact.worst_criticality == 2
    assert not impact.patient_safety


def test_it_follows_interfaces_to_downstream_systems() -> None:
    impact = Graph(NODES, EDGES).impact(1)
    assert impact.systems == {1, 2}
    assert impact.interfaces == {5}
    assert impact.worst_criticality == 1 and impact.patient_safety
    assert impact.path_to(2) == [1, 5, 2]


def test_a_room_failure_reaches_everything_inside() -> None:
    impact = Graph(NODES, EDGES).impact(6)
    assert impact.systems == {2} and {3, 4} <= impact.items
    assert impact.path_to(2) == [6, 3, 2]


def test_a_backup_job_failure_stops_nothing() -> None:
    assert Graph(NODES, EDGES).impact(10).systems == frozenset()


def test_it_refuses_a_cycle_and_names_it() -> None:
    graph = Graph(NODES, EDGES)
    with pytest.raises(RelationError, match="cycle: HV-1 → SRV-LIS → HV-1"):
        graph.check_new_relation(9, "runs_on", 3)


@pytest.mark.parametrize(("source", "kind", "target", "message"), [
    (3, "uses_database", 4, "cannot be uses_database"),
    (2, "runs_on", 2, "cannot relate to itself"),
    (2, "runs_on", 3, "already runs_on"),
    (2, "flies_to", 3, "unknown relation type"),
])
def test_it_refuses_meaningless_relations(source: int, kind: str, target: int,
                                          message: str) -> None:
    with pytest.raises(RelationError, match=message):
        Graph(NODES, EDGES).check_new_relation(source, kind, target)


def test_a_systems_items_stop_at_other_systems() -> None:
    graph = Graph(NODES, [*EDGES, (2, "depends_on", 1)])
    assert graph.items_of_systems([2]) == {2, 3, 4, 5, 9, 10}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 14), st.integers(0, 14)), max_size=60))
def test_accepted_relations_never_form_a_cycle(pairs: list[tuple[int, int]]) -> None:
    nodes = {i: Node(i, "host", f"H{i}") for i in range(15)}
    edges: list[tuple[int, str, int]] = []
    for source, target in pairs:
        graph = Graph(nodes, edges)
        try:
            graph.check_new_relation(source, "runs_on", target)
        except RelationError:
            continue
        edges.append((source, "runs_on", target))
    graph = Graph(nodes, edges)
    for source, _, target in edges:
        assert graph.find_path(target, source) is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=40),
       st.integers(0, 9))
def test_impact_is_exactly_the_reverse_reachability(pairs: list[tuple[int, int]],
                                                    failed: int) -> None:
    nodes = {i: Node(i, "system" if i % 3 == 0 else "host", f"N{i}", criticality=1 + i % 4)
             for i in range(10)}
    edges = [(s, "depends_on", t) for s, t in pairs if s != t]
    impact = Graph(nodes, edges).impact(failed)
    # Everything affected needs the failed item through a chain of edges, and vice versa.
    needs = {s: {t for s2, _, t in edges if s2 == s} for s in nodes}
    reach = set()
    frontier = {failed}
    while frontier:
        frontier = {s for s in nodes if needs[s] & frontier} - reach - {failed}
        reach |= frontier
    assert impact.items == reach
    for item in impact.items:
        path = impact.path_to(item)
        assert path[0] == failed and path[-1] == item
