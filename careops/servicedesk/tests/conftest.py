"""Seed 004 loaded over a small CMDB: the exam system is served by the surgery and
the teaching departments, a host runs the surgical video system, and a printer system
no contract covers. Bob maintains the covered systems; Charlie is in surgery.

Tests that go through a view or a task open tickets at the real current time: the seed's
service period is stretched to cover today (careops.contracts.tests.seeds)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from careops.cmdb.models import BusinessSystem, Department, Host, Relation, Vendor
from careops.contracts.actions import profiles
from careops.contracts.tests.seeds import SEED_004, seed_004_text

# Seed 004 names no pause states; the clock tests add one.
PAUSES = "\npauses:\n  waiting_hospital: [restore, resolve, report]\n"
__all__ = ["PAUSES", "SEED_004", "desk", "seed_004"]  # SEED_004: test_escalation's


@pytest.fixture
def desk(db: Any, alice: Any, bob: Any, charlie: Any) -> dict[str, Any]:
    vendor = Vendor.objects.create(code="V-EDU", name="博学医教科技有限公司")
    vendor.engineers.add(bob)
    surgery = Department.objects.create(code="SURG", name="手术部")
    teaching = Department.objects.create(code="TEACH", name="教学部")
    surgery.members.add(charlie)
    video = BusinessSystem.objects.create(code="SURG-VIDEO", name="手术视频",
                                          category="research_teaching", patient_safety=True)
    exam = BusinessSystem.objects.create(code="EXAM-STD", name="考试系统",
                                         category="research_teaching")
    printer = BusinessSystem.objects.create(code="PRINT", name="打印服务",
                                            category="research_teaching")
    video.departments.add(surgery)
    exam.departments.add(surgery, teaching)
    printer.departments.add(teaching)
    for system in (video, exam):
        system.maintainers.add(vendor)
    host = Host.objects.create(code="H-VIDEO-01", name="视频服务器", hostname="video01")
    Relation.objects.create(source=video, type="runs_on", target=host)
    return {"vendor": vendor, "video": video, "exam": exam, "printer": printer, "host": host}


@pytest.fixture
def seed_004(desk: dict[str, Any], alice: Any) -> Callable[[str], Any]:
    """Load seed 004 (optionally with extra YAML appended) as alice; the new version. Its
    period covers 2026 and today."""

    def load(extra: str = "", valid_from: Any = None) -> Any:
        text = seed_004_text() + extra
        return profiles.load_profile(alice, text, valid_from=valid_from).version

    return load
