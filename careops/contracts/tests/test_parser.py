"""The pure contract parser: good documents, and bad ones reported with path and line."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careops.logic.contract import (
    SCOPES,
    SEVERITIES,
    Condition,
    ContractInvalid,
    Duration,
    Facts,
    by_urgency,
    classify,
    locate,
    lowers,
    matches,
    parse_contract,
    summary,
    targets_for,
)

HEAD = """\
code: test-contract
name: 测试合同
parties: {hospital: 测试医院, vendor: V-TEST}
period: {start: 2026-01-01, end: 2026-12-31}
"""


def parse(body: str) -> object:
    return parse_contract(HEAD + textwrap.dedent(body))


def errors_of(body: str) -> list[tuple[str, int, str]]:
    with pytest.raises(ContractInvalid) as info:
        parse(body)
    return [(e.path, e.line, e.message) for e in info.value.errors]


def test_it_reads_a_minimal_contract_with_the_default_working_calendar() -> None:
    contract = parse_contract(HEAD)
    assert contract.code == "test-contract"
    assert contract.parties.vendor == "V-TEST"
    assert contract.working_calendar == "cn-workday"
    assert targets_for(contract, "incident", "P1") == []


def test_it_accepts_every_duration_form() -> None:
    contract = parse_contract(HEAD + textwrap.dedent("""\
        calendars: {working: cn-5x8, hotline: 7x24}
        sla:
          incident:
            P1:
              respond: 30min
              on_site: 0.5h
              restore: {amount: 90, unit: working_minutes}
              resolve: 2 working days
              report: {amount: 1, unit: hours, calendar: hotline}
        """))
    got = {(t.name, t.amount, t.unit, t.clock, t.calendar)
           for t in targets_for(contract, "incident", "P1")}
    assert got == {("respond", 30, "minutes", "wall", "cn-5x8"),
                   ("on_site", 30, "minutes", "wall", "cn-5x8"),
                   ("restore", 90, "working_minutes", "working", "cn-5x8"),
                   ("resolve", 2, "working_days", "working", "cn-5x8"),
                   ("report", 60, "minutes", "wall", "7x24")}


def test_it_splits_targets_by_reporting_inside_or_outside_hours() -> None:
    contract = parse_contract(HEAD + textwrap.dedent("""\
        sla:
          incident:
            P1:
              in_hours: {respond: 30min, on_site: 1h}
              out_of_hours: {respond: 1h, on_site: 2h}
              restore: 2 working days
        """))
    inside = {t.name: t.amount for t in targets_for(contract, "incident", "P1", True)}
    outside = {t.name: t.amount for t in targets_for(contract, "incident", "P1", False)}
    assert inside == {"respond": 30, "on_site": 60, "restore": 2}
    assert outside == {"respond": 60, "on_site": 120, "restore": 2}


def test_it_names_paused_clocks_on_each_target() -> None:
    contract = parse_contract(HEAD + textwrap.dedent("""\
        sla: {incident: {P1: {respond: 15min, resolve: 1 working day}}}
        pauses: {waiting_hospital: [resolve], waiting_third_party: resolve}
        """))
    paused = {t.name: t.paused_by for t in targets_for(contract, "incident", "P1")}
    assert paused == {"respond": (), "resolve": ("waiting_hospital", "waiting_third_party")}


def test_it_classifies_in_rule_order_and_falls_back_to_the_default() -> None:
    contract = parse_contract(HEAD + textwrap.dedent("""\
        priorities:
          levels: [P1, P2, P3]
          default: P3
          rules:
            - {priority: P1, when: {outage: full, rooms_over: 1, duration_over: 15min}}
            - {priority: P2, when: {outage: full}}
            - {priority: P2, when: {scope: [department, hospital]}}
        """))
    assert classify(contract, Facts(outage="full", rooms=2, duration_minutes=16)) == "P1"
    assert classify(contract, Facts(outage="full", rooms=2, duration_minutes=15)) == "P2"
    assert classify(contract, Facts(outage="full", rooms=1, duration_minutes=60)) == "P2"
    assert classify(contract, Facts(scope="hospital")) == "P2"
    assert classify(contract, Facts()) == "P3"


def test_it_reports_unknown_keys_with_the_closest_known_one() -> None:
    errors = errors_of("""\
        sla:
          incident:
            P1: {respnd: 30min}
        """)
    assert errors == [("sla.incident.P1.respnd", 7,
                       "unknown key “respnd”; did you mean “respond”?")]


def test_it_reports_every_error_at_once_with_its_line() -> None:
    errors = errors_of("""\
        systems: [HIS, HIS]
        sla:
          incidnt: {P1: {respond: 30min}}
          incident:
            P1:
              respond: 30 fortnights
              on_site: -1h
            Q1: {respond: 1h}
        obligations:
          - {code: x, kind: inspektion, title: t, every: monthly, owner: vendor}
        """)
    paths = {(path, line) for path, line, _message in errors}
    assert ("systems[1]", 5) in paths
    assert ("sla.incidnt", 7) in paths
    assert ("sla.incident.P1.respond", 10) in paths
    assert ("sla.incident.P1.on_site", 11) in paths
    assert ("sla.incident.Q1", 12) in paths
    assert ("obligations[0].kind", 14) in paths
    assert ("obligations[0].every", 14) in paths
    assert len(errors) == 7


@pytest.mark.parametrize(("body", "path", "fragment"), [
    ("sla: {incident: {P1: {respond: 30 parsecs}}}", "sla.incident.P1.respond",
     "unknown unit"),
    ("sla: {incident: {P1: {respond: 3 months}}}", "sla.incident.P1.respond",
     "months are only allowed"),
    ("sla: {incident: {P1: {respond: 0min}}}", "sla.incident.P1.respond", "more than zero"),
    ("sla: {incident: {P1: {respond: soon}}}", "sla.incident.P1.respond", "not a duration"),
    ("sla: {incident: {P1: {respond: {amount: 2}}}}", "sla.incident.P1.respond.unit",
     "missing required key"),
    ("sla: {incident: {P1: {respond: {amount: 2, unit: h, calendar: night}}}}",
     "sla.incident.P1.respond.calendar", "unknown calendar name"),
    ("sla: {incident: {P1: {in_hours: {respond: 1h}}}}", "sla.incident.P1.in_hours",
     "both in_hours and out_of_hours"),
    ("sla: {incident: {P1: {respond: 1h, in_hours: {respond: 1h}, out_of_hours: {}}}}",
     "sla.incident.P1.in_hours.respond", "already given"),
    ("sla: {ticket: {P1: {respond: 1h}}}", "sla.ticket", "unknown key"),
    ("sla: {incident: {P1: {fix: 1h}}}", "sla.incident.P1.fix", "unknown key"),
    ("priorities: {levels: [P1, P2], default: P3}", "priorities.default", "unknown value"),
    ("priorities: {levels: [P1], default: P1}\nsla: {incident: {P2: {respond: 1h}}}",
     "sla.incident.P2", "not among priorities.levels"),
    ("calendars: {working: 'no such/code'}", "calendars.working", "not a valid code"),
    ("period: {start: 2026-01-01, end: soon}", "period", "given twice"),
    ("requests: {included_effort: five days, tiers: {simple: {resolve: 3 wd}}}",
     "requests.included_effort", "person_days"),
    ("requests: {tiers: {simple: {}}}", "requests.tiers.simple", "no targets"),
    ("obligations: [{code: a, kind: training, title: t, every: once, owner: vendor}]",
     "obligations[0].every", "needs due_after_start"),
    ("obligations: [{code: a, kind: training, title: t, every: year, owner: vendor,"
     " report_due: 5 wd}]", "obligations[0].report_due", "needs the name of the report"),
    ("obligations: [{code: a, kind: training, title: t, every: year, owner: them}]",
     "obligations[0].owner", "unknown value"),
    ("penalties: [{on: breach, remedy: fee_reduction}]", "penalties[0].on", "unknown value"),
    ("priorities: {levels: [P1], default: P1, rules: [{priority: P1, when: "
     "{duration_over: 1 working day}}]}", "priorities.rules[0].when.duration_over",
     "wall-clock"),
])
def test_it_refuses_bad_input_naming_the_path(body: str, path: str, fragment: str) -> None:
    errors = errors_of(body)
    assert any(p == path and fragment in m for p, _line, m in errors), errors


def test_it_refuses_a_key_given_twice_with_both_lines() -> None:
    errors = errors_of("""\
        sla:
          incident:
            P1:
              in_hours: {respond: 30min}
              out_of_hours: {respond: 1h}
              in_hours: {respond: 15min}
        """)
    assert errors == [("sla.incident.P1.in_hours", 10,
                       "“in_hours” given twice (first on line 8)")]


@pytest.mark.parametrize(("rules", "unreachable"), [
    ("[{priority: P1, when: {}}, {priority: P2, when: {scope: department}}]", 1),
    ("[{priority: P2, when: {scope: [department, hospital]}},"
     " {priority: P1, when: {scope: hospital, severity: clinical}}]", 1),
    ("[{priority: P1, when: {rooms_over: 1}}, {priority: P2, when: {rooms_over: 3}}]", 1),
    ("[{priority: P1, when: {duration_over: 15min}},"
     " {priority: P2, when: {duration_over: 1h, outage: full}}]", 1),
])
def test_it_refuses_priority_rules_that_can_never_be_reached(rules: str,
                                                             unreachable: int) -> None:
    errors = errors_of(f"priorities: {{levels: [P1, P2], default: P2, rules: {rules}}}")
    assert [(p, m.split(":")[0]) for p, _line, m in errors] == [
        (f"priorities.rules[{unreachable}]", "can never be reached")]


def test_it_keeps_rules_that_narrow_an_earlier_rule_the_other_way() -> None:
    contract = parse("priorities: {levels: [P1, P2], default: P2, rules: ["
                     "{priority: P1, when: {outage: full, rooms_over: 1}},"
                     " {priority: P2, when: {outage: full}}]}")
    assert contract.priorities is not None  # type: ignore[attr-defined]


def test_it_reports_yaml_syntax_errors_with_their_line() -> None:
    with pytest.raises(ContractInvalid) as info:
        parse_contract("code: a\nname: [unclosed\nparties: {}\n")
    assert info.value.errors[0].path == ""
    assert info.value.errors[0].line == 3
    assert "not valid YAML" in info.value.errors[0].message


def test_it_refuses_an_empty_document_and_a_list() -> None:
    with pytest.raises(ContractInvalid, match="empty"):
        parse_contract("")
    with pytest.raises(ContractInvalid, match="expected a mapping"):
        parse_contract("- a\n- b\n")


def test_it_locates_paths_for_errors_found_later() -> None:
    text = HEAD + "systems:\n  - HIS\n  - LIS\n"
    assert locate(text, "systems[1]") == 7
    assert locate(text, "parties.vendor") == 3
    assert locate(text, "sla.incident") == 1


def test_it_summarises_the_matrix_for_display() -> None:
    contract = parse_contract(HEAD + textwrap.dedent("""\
        sla:
          incident:
            P1: {in_hours: {respond: 30min}, out_of_hours: {respond: 1h}}
        requests: {tiers: {simple: {resolve: 3 working days}}}
        """))
    data = summary(contract)
    assert data["sla"]["incident"]["P1"] == {"in_hours": {"respond": "30 minutes"},
                                             "out_of_hours": {"respond": "60 minutes"}}
    assert data["sla"]["request"]["simple"] == {"any": {"resolve": "3 working days"}}


UNITS = {"min": 1, "h": 60, "hours": 60, "minutes": 1, "d": 1440, "days": 1440}


@given(amount=st.integers(min_value=1, max_value=10_000), unit=st.sampled_from(sorted(UNITS)),
       spaced=st.booleans())
def test_it_normalises_any_wall_duration_to_minutes(amount: int, unit: str,
                                                    spaced: bool) -> None:
    text = f"{amount}{' ' if spaced else ''}{unit}"
    contract = parse_contract(HEAD + f"sla: {{change: {{P2: {{resolve: {text}}}}}}}\n")
    (target,) = targets_for(contract, "change", "P2")
    assert (target.amount, target.unit, target.clock) == (amount * UNITS[unit], "minutes",
                                                          "wall")


conditions = st.builds(
    Condition,
    scope=st.lists(st.sampled_from(SCOPES), unique=True).map(tuple),
    severity=st.lists(st.sampled_from(SEVERITIES), unique=True).map(tuple),
    rooms_over=st.none() | st.integers(min_value=0, max_value=3),
    duration_over=st.none() | st.integers(min_value=1, max_value=60).map(
        lambda n: Duration(n, "minutes")),
)
facts = st.builds(Facts, scope=st.sampled_from(SCOPES), severity=st.sampled_from(SEVERITIES),
                  rooms=st.integers(min_value=0, max_value=5),
                  duration_minutes=st.integers(min_value=0, max_value=90))


@given(earlier=conditions, later=conditions, situation=facts)
def test_a_rule_called_unreachable_really_is(earlier: Condition, later: Condition,
                                            situation: Facts) -> None:
    """If ``earlier`` covers ``later``, whatever ``later`` matches ``earlier`` matches too,
    so refusing ``later`` never removes a reachable rule."""
    if earlier.covers(later) and matches(later, situation):
        assert matches(earlier, situation)


def test_it_refuses_half_working_days_with_the_path_and_line() -> None:
    from pathlib import Path

    from careops.logic.contract import ContractInvalid, parse_contract

    original = (Path(__file__).resolve().parents[3] / "contracts" / "examples"
                / "seed-001-unified-service.yaml").read_text(encoding="utf-8")
    text = original.replace("restore: 2 working days", "restore: 1.5 working days")
    assert text != original
    with pytest.raises(ContractInvalid) as info:
        parse_contract(text)
    error = info.value.errors[0]
    assert error.path == "sla.incident.P1.restore"
    assert "whole number" in str(error)
    assert text.splitlines()[error.line - 1].strip() == "restore: 1.5 working days"


@given(st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=9, unique=True))
def test_it_orders_incident_priorities_by_their_number_whatever_the_listing(
        numbers: list[int]) -> None:
    levels = "".join(f"    P{n}: {{respond: {n}h}}\n" for n in numbers)
    contract = parse(f"sla:\n  incident:\n{levels}")
    order = by_urgency(contract, "incident")  # type: ignore[arg-type]
    assert order == tuple(f"P{n}" for n in sorted(numbers))
    for first in order:
        for second in order:
            assert lowers(contract, "incident", first, second) == (  # type: ignore[arg-type]
                int(second[1:]) > int(first[1:]))
