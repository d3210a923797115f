"""The pure parts of the alert pipeline (careops.logic.alerting): no database."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careops.logic import alerting
from careops.logic.impact import Graph, Node

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def test_it_fingerprints_labels_in_any_order() -> None:
    a = alerting.fingerprint("rule", "HostDown", {"instance": "10.0.0.1", "job": "node"})
    b = alerting.fingerprint("rule", "HostDown", {"job": "node", "instance": "10.0.0.1"})
    assert a == b and len(a) == 64


def test_it_tells_alerts_apart_by_source_name_and_labels() -> None:
    base = alerting.fingerprint("rule", "HostDown", {"instance": "a"})
    assert base != alerting.fingerprint("check", "HostDown", {"instance": "a"})
    assert base != alerting.fingerprint("rule", "HostUp", {"instance": "a"})
    assert base != alerting.fingerprint("rule", "HostDown", {"instance": "b"})
    # no ambiguity from joining: ("a", "b=c") is not ("a=b", "c")
    assert alerting.fingerprint("rule", "x", {"a": "b=c"}) != \
        alerting.fingerprint("rule", "x", {"a=b": "c"})


@given(st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=6))
def test_it_fingerprints_independently_of_insertion_order(labels: dict[str, str]) -> None:
    items = list(labels.items())
    random.Random(0).shuffle(items)
    assert alerting.fingerprint("rule", "n", labels) == \
        alerting.fingerprint("rule", "n", dict(items))


def test_it_counts_no_flapping_without_changes() -> None:
    assert alerting.flap_percent([], T0, HOUR) == 0


def test_it_counts_a_change_every_three_minutes_as_full_flapping() -> None:
    changes = [T0 - dt.timedelta(minutes=3 * k + 1) for k in range(20)]
    assert alerting.flap_percent(changes, T0, HOUR) == pytest.approx(100)


def test_it_weighs_recent_changes_more() -> None:
    old = alerting.flap_percent([T0 - dt.timedelta(minutes=59)], T0, HOUR)
    new = alerting.flap_percent([T0 - dt.timedelta(minutes=1)], T0, HOUR)
    assert new > old > 0


@given(st.lists(st.integers(min_value=-200, max_value=10), max_size=60))
def test_it_keeps_the_percent_between_0_and_100(minutes: list[int]) -> None:
    changes = [T0 + dt.timedelta(minutes=m) for m in minutes]
    percent = alerting.flap_percent(changes, T0, HOUR)
    assert 0 <= percent <= 100


@given(st.lists(st.integers(min_value=0, max_value=3599), max_size=30),
       st.integers(min_value=0, max_value=3599))
def test_it_never_lowers_the_percent_when_a_change_is_added(seconds: list[int],
                                                            extra: int) -> None:
    changes = [T0 - dt.timedelta(seconds=s) for s in seconds]
    more = [*changes, T0 - dt.timedelta(seconds=extra)]
    assert alerting.flap_percent(more, T0, HOUR) >= alerting.flap_percent(changes, T0, HOUR)


@given(st.floats(min_value=0, max_value=100), st.booleans())
def test_it_flaps_with_hysteresis(percent: float, was: bool) -> None:
    now = alerting.next_flapping(was, percent, 50, 25)
    if percent > 50:
        assert now  # above the start: flapping whatever it was
    elif percent < 25:
        assert not now  # below the stop: settled whatever it was
    else:
        assert now == was  # in between: no change


def test_it_refuses_a_stop_above_the_start() -> None:
    with pytest.raises(ValueError, match="stop"):
        alerting.next_flapping(False, 10, 20, 30)


def test_it_prunes_changes_outside_the_window() -> None:
    inside = T0 - dt.timedelta(minutes=5)
    assert alerting.prune_changes([T0 - 2 * HOUR, inside, T0 + HOUR], T0, HOUR) == [inside]


# --- root causes ---------------------------------------------------------------------------

# HIS runs on SRV-APP (1) and uses DB-HIS (3), which runs on SRV-DB (2); LIS (5) runs on
# SRV-DB too; an interface 6 connects HIS (4) to LIS (both ways).
NODES = {1: Node(1, "host", "SRV-APP"), 2: Node(2, "host", "SRV-DB"),
         3: Node(3, "database", "DB-HIS"), 4: Node(4, "system", "HIS", criticality=1),
         5: Node(5, "system", "LIS", criticality=2), 6: Node(6, "interface", "IF-HIS-LIS")}
EDGES = [(4, "runs_on", 1), (3, "runs_on", 2), (4, "uses_database", 3), (5, "runs_on", 2),
         (4, "connects_via", 6), (6, "depends_on", 5)]
GRAPH = Graph(NODES, EDGES)


def test_it_names_the_host_as_root_of_its_database_and_system() -> None:
    roots = alerting.root_causes(GRAPH, {2, 3}, [2, 3, 4, 5])
    assert roots == {2: 2, 3: 2, 4: 2, 5: 2}


def test_it_leaves_an_item_that_depends_on_no_alerting_item_alone() -> None:
    assert alerting.root_causes(GRAPH, {3}, [1, 3, 5]) == {1: 1, 3: 3, 5: 5}


def test_it_prefers_the_deepest_root() -> None:
    # HIS reaches SRV-APP at distance 1 and SRV-DB at distance 2 (through its database)
    assert alerting.root_causes(GRAPH, {1, 2}, [4])[4] == 2


def test_it_does_not_fold_a_warning_item_that_is_no_candidate() -> None:
    # a non-candidate item (a warning on the database) still folds under the host
    assert alerting.root_causes(GRAPH, {2}, [3]) == {3: 2}


def test_it_resolves_cycles_to_one_representative() -> None:
    graph = Graph({1: Node(1, "service"), 2: Node(2, "service")},
                  [(1, "depends_on", 2), (2, "depends_on", 1)])
    roots = alerting.root_causes(graph, {1, 2}, [1, 2])
    assert roots == {1: 1, 2: 1}


@st.composite
def graphs(draw: st.DrawFn) -> tuple[Graph, set[int], list[int]]:
    n = draw(st.integers(min_value=1, max_value=9))
    nodes = {i: Node(i, draw(st.sampled_from(["host", "service", "system", "database"])))
             for i in range(1, n + 1)}
    edges = draw(st.lists(st.tuples(st.integers(1, n),
                                    st.sampled_from(["runs_on", "depends_on", "uses_database",
                                                     "backed_up_by"]),
                                    st.integers(1, n)), max_size=15))
    edges = [e for e in edges if e[0] != e[2]]
    candidates = draw(st.sets(st.integers(1, n)))
    items = draw(st.lists(st.integers(1, n), min_size=1, unique=True))
    return Graph(nodes, edges), candidates, items


@settings(max_examples=200)
@given(graphs())
def test_it_always_names_an_alerting_root_it_depends_on(
        case: tuple[Graph, set[int], list[int]]) -> None:
    graph, candidates, items = case
    roots = alerting.root_causes(graph, candidates, items)
    assert set(roots) == set(items)
    for item, root in roots.items():
        if root != item:
            assert root in candidates  # the root is an alerting item
            assert root in alerting._reach(graph, item, {root})  # and the item needs it


@settings(max_examples=200)
@given(graphs())
def test_it_is_order_independent_and_stable(case: tuple[Graph, set[int], list[int]]) -> None:
    graph, candidates, items = case
    roots = alerting.root_causes(graph, candidates, items)
    shuffled = list(items)
    random.Random(1).shuffle(shuffled)
    assert alerting.root_causes(graph, set(sorted(candidates, reverse=True)), shuffled) == roots
    # a root is its own root: nothing is folded under an item that is itself folded
    again = alerting.root_causes(graph, candidates, list(roots.values()))
    for root in roots.values():
        if root in candidates:
            assert again[root] == root


def test_it_groups_by_the_most_critical_system_hit() -> None:
    # SRV-DB hits HIS (criticality 1) and LIS (2): the HIS group
    assert alerting.group_key(GRAPH, 2, "f") == "system:4"
    assert alerting.group_key(GRAPH, 4, "f") == "system:4"
    assert alerting.group_key(Graph({9: Node(9, "host")}, []), 9, "f") == "item:9"
    assert alerting.group_key(GRAPH, None, "abc") == "alert:abc"


def test_it_orders_the_affected_nearest_first() -> None:
    assert alerting.affected_order(GRAPH, 2)[:2] == [5, 3]


def test_it_takes_the_worst_severity() -> None:
    assert alerting.worst_severity(["warning", "critical", "info"]) == "critical"
    assert alerting.worst_severity([]) == "info"
    assert alerting.severity_at_least("major", "warning")
    assert not alerting.severity_at_least("info", "warning")
