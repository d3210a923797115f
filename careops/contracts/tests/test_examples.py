"""The five seed contracts as example profiles (contracts/examples/): each parses and says
what its tender text says."""

from __future__ import annotations

from pathlib import Path

import pytest

from careops.logic.contract import (
    Contract,
    Facts,
    Obligation,
    classify,
    parse_contract,
    targets_for,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "contracts" / "examples"


def load(prefix: str) -> Contract:
    (path,) = EXAMPLES.glob(f"{prefix}-*.yaml")
    return parse_contract(path.read_text(encoding="utf-8"))


def clocks(contract: Contract, kind: str, level: str,
           in_hours: bool = True) -> dict[str, tuple[float, str]]:
    return {t.name: (t.amount, t.unit) for t in targets_for(contract, kind, level, in_hours)}


def obligation(contract: Contract, code: str) -> Obligation:
    return next(o for o in contract.obligations if o.code == code)


def test_it_ships_five_valid_examples() -> None:
    assert len(list(EXAMPLES.glob("seed-00*.yaml"))) == 5
    for path in EXAMPLES.glob("seed-00*.yaml"):
        parse_contract(path.read_text(encoding="utf-8"))


def test_it_has_seed_000_split_by_working_hours_and_one_day_fixes() -> None:
    contract = load("seed-000")
    assert contract.parties.vendor == "V-TWIN"
    assert str(contract.period.start) == "2025-01-01" and str(contract.period.end) == "2026-12-31"
    assert clocks(contract, "incident", "P1", True) == {
        "respond": (30, "minutes"), "on_site": (60, "minutes"), "restore": (2, "working_days")}
    assert clocks(contract, "incident", "P1", False) == {
        "respond": (60, "minutes"), "on_site": (120, "minutes"), "restore": (2, "working_days")}
    assert clocks(contract, "bug", "system_error") == {"resolve": (1, "working_days")}
    assert clocks(contract, "request", "adjustment") == {"resolve": (7 * 1440, "minutes")}
    assert contract.working_calendar == "cn-workday"


def test_it_has_seed_001_with_two_day_repairs_and_the_37_systems() -> None:
    contract = load("seed-001")
    assert clocks(contract, "incident", "P1", True) == {
        "respond": (30, "minutes"), "on_site": (60, "minutes"), "restore": (2, "working_days")}
    assert clocks(contract, "incident", "P1", False)["on_site"] == (120, "minutes")
    assert clocks(contract, "bug", "system_error") == {"resolve": (2, "working_days")}
    assert clocks(contract, "bug", "data_error") == {"resolve": (2, "working_days")}
    assert len(contract.systems) == 37 and "ICU-MJ" in contract.systems
    review = obligation(contract, "monthly-service-review")
    assert (review.every, review.owner) == ("month", "vendor")
    assert obligation(contract, "quarterly-inspection").every == "quarter"
    assert [(p.on, p.remedy) for p in contract.penalties] == [("request_late", "termination")]


def test_it_has_seed_002_inspection_reports_due_five_working_days_after() -> None:
    contract = load("seed-002")
    onsite, online = obligation(contract, "onsite-inspection"), obligation(contract,
                                                                           "online-inspection")
    assert (onsite.every, online.every) == ("year", "quarter")
    for item in (onsite, online):
        assert str(item.report_due) == "5 working days"
    assert clocks(contract, "request", "consultation") == {"respond": (60, "minutes")}
    assert clocks(contract, "incident", "P1") == {"respond": (120, "minutes")}
    docs = obligation(contract, "technical-documents")
    assert str(docs.due_after_start) == "15 working days"
    assert ("sla_breach", "fee_reduction") in [(p.on, p.remedy) for p in contract.penalties]


def test_it_has_seed_003_half_yearly_knowledge_base_and_included_effort() -> None:
    contract = load("seed-003")
    assert obligation(contract, "knowledge-base").every == "half_year"
    assert obligation(contract, "monthly-inspection").every == "month"
    assert contract.requests is not None
    assert contract.requests.included_effort_person_days == 5
    assert contract.bugs is not None and str(contract.bugs.max_fix) == "3 months"
    (on_site,) = targets_for(contract, "incident", "P1")
    assert (on_site.name, on_site.amount, on_site.calendar) == ("on_site", 120, "7x24")
    assert classify(contract, Facts(severity="patient_safety")) == "P1"


def test_it_has_seed_004_priority_definitions() -> None:
    contract = load("seed-004")
    p1 = Facts(outage="full", rooms=2, duration_minutes=20)
    assert classify(contract, p1) == "P1"
    assert classify(contract, Facts(outage="full", rooms=2, duration_minutes=10)) == "P2"
    assert classify(contract, Facts(outage="full", rooms=1, duration_minutes=60)) == "P2"
    assert classify(contract, Facts(severity="patient_safety")) == "P1"
    assert classify(contract, Facts(outage="key_function")) == "P2"
    assert classify(contract, Facts(scope="individual", outage="degraded")) == "P3"


@pytest.mark.parametrize(("level", "expected"), [
    ("P1", {"respond": (15, "minutes"), "on_site": (60, "minutes"),
            "restore": (120, "minutes"), "report": (3, "working_days")}),
    ("P2", {"respond": (30, "minutes"), "on_site": (120, "minutes"),
            "restore": (240, "minutes"), "report": (3, "working_days")}),
    ("P3", {"respond": (120, "minutes"), "resolve": (1440, "minutes")}),
])
def test_it_has_seed_004_incident_clocks(level: str, expected: dict[str, object]) -> None:
    assert clocks(load("seed-004"), "incident", level) == expected


def test_it_has_seed_004_requests_bugs_and_reports() -> None:
    contract = load("seed-004")
    assert clocks(contract, "request", "simple") == {"resolve": (3, "working_days")}
    assert clocks(contract, "request", "medium") == {"resolve": (7, "working_days")}
    assert clocks(contract, "request", "complex") == {"resolve": (10, "working_days")}
    assert contract.requests is not None
    assert contract.requests.included_effort_person_days == 5
    assert clocks(contract, "bug", "urgent") == {"respond": (120, "minutes"),
                                                 "resolve": (1440, "minutes")}
    assert clocks(contract, "bug", "normal") == {"report": (3, "working_days")}
    onsite = obligation(contract, "onsite-inspection")
    assert (onsite.every, str(onsite.report_due)) == ("quarter", "7 working days")
    assert obligation(contract, "restore-drill").every == "quarter"
    assert obligation(contract, "knowledge-base").every == "quarter"
    assert obligation(contract, "security-patching").every == "quarter"
    assert obligation(contract, "vulnerability-check").every == "half_year"
    plan = obligation(contract, "emergency-plan")
    assert str(plan.due_after_start) == "1 month"
    assert obligation(contract, "exam-training").times == 2
