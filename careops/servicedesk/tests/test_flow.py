"""The ticket state machines (careops.logic.ticket_flow), pure."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careops.logic import ticket_flow as flow
from careops.logic.ticket_flow import TransitionError


def reachable(kind: str) -> set[tuple[str, str | None]]:
    """Every (status, left) reachable from the initial status."""
    start = (flow.INITIAL[kind], None)
    seen, todo = {start}, [start]
    while todo:
        status, left = todo.pop()
        for nxt in flow.allowed(kind, status, left):
            state = (nxt, (status if status not in flow.PENDING else left)
                     if nxt in flow.PENDING else None)
            if state not in seen:
                seen.add(state)
                todo.append(state)
    return seen


def test_it_walks_an_incident_through_its_whole_life() -> None:
    path = ["new", "acknowledged", "on_site", "restored", "resolved", "confirmed", "closed"]
    for a, b in itertools.pairwise(path):
        flow.check("incident", a, b)
    assert flow.terminal("incident", "closed")


def test_it_lists_the_allowed_statuses_of_an_illegal_move() -> None:
    with pytest.raises(TransitionError) as info:
        flow.check("incident", "new", "resolved")
    assert info.value.allowed == ("acknowledged",)
    assert "acknowledged" in str(info.value)


def test_it_returns_a_pending_incident_to_the_state_it_left() -> None:
    assert "waiting_hospital" in flow.allowed("incident", "on_site")
    assert flow.allowed("incident", "waiting_hospital", left="on_site") == (
        "on_site", "waiting_third_party")
    with pytest.raises(TransitionError):
        flow.check("incident", "waiting_hospital", "restored", left="on_site")
    assert "waiting_hospital" not in flow.allowed("incident", "new")


def test_it_makes_a_request_over_the_included_effort_wait_for_approval() -> None:
    assert flow.allowed("request", "new") == ("approved", "waiting_approval")
    assert flow.allowed("request", "new", needs_approval=True) == ("waiting_approval",)
    with pytest.raises(TransitionError):
        flow.check("request", "new", "approved", needs_approval=True)


def test_it_ends_a_change_verified_or_rolled_back() -> None:
    assert flow.allowed("change", "submitted") == ("approved", "rejected")
    assert flow.allowed("change", "implementing") == ("implemented", "rolled_back")
    assert flow.needs_approver("change", "approved")
    assert not flow.needs_approver("incident", "acknowledged")
    assert {s for s in flow.statuses("change") if flow.terminal("change", s)} == {
        "verified", "rolled_back", "rejected"}


def test_it_names_the_sla_target_each_status_meets() -> None:
    assert flow.meets("incident", "acknowledged") == ("respond",)
    assert flow.meets("incident", "on_site") == ("on_site",)
    assert flow.meets("incident", "restored") == ("restore",)
    assert flow.meets("incident", "resolved") == ("resolve",)
    assert flow.meets("incident", "confirmed") == ()


def test_it_rejects_statuses_of_another_kind() -> None:
    with pytest.raises(ValueError):
        flow.allowed("bug", "acknowledged")
    with pytest.raises(ValueError):
        flow.allowed("ticket", "new")


@given(kind=st.sampled_from(flow.KINDS), data=st.data())
def test_it_can_finish_from_every_reachable_state(kind: str, data: st.DataObject) -> None:
    status, left = data.draw(st.sampled_from(sorted(reachable(kind), key=str)))
    seen, todo = {(status, left)}, [(status, left)]
    finished = False
    while todo and not finished:
        current, came_from = todo.pop()
        if flow.terminal(kind, current):
            finished = True
            break
        for nxt in flow.allowed(kind, current, came_from):
            state = (nxt, (current if current not in flow.PENDING else came_from)
                     if nxt in flow.PENDING else None)
            if state not in seen:
                seen.add(state)
                todo.append(state)
    assert finished, f"{kind} stuck in {status}"


@given(kind=st.sampled_from(flow.KINDS), steps=st.lists(st.integers(0, 10), max_size=30))
def test_it_only_ever_moves_to_allowed_statuses(kind: str, steps: list[int]) -> None:
    status, left = flow.INITIAL[kind], None
    for step in steps:
        options = flow.allowed(kind, status, left)
        if not options:
            assert flow.terminal(kind, status)
            break
        nxt = options[step % len(options)]
        flow.check(kind, status, nxt, left)
        if nxt in flow.PENDING:
            left = left if status in flow.PENDING else status
        else:
            left = None
        status = nxt
        assert status in flow.statuses(kind)


def test_it_sends_a_refused_resolution_back_to_work() -> None:
    assert {kind: flow.refusal(kind) for kind in flow.KINDS} == {
        "incident": "acknowledged", "request": "in_progress", "bug": "fixing",
        "change": None, "problem": None}
    for kind in flow.KINDS:
        back = flow.refusal(kind)
        assert back is None or (back in flow.allowed(kind, "resolved")
                                and not flow.terminal(kind, back))
