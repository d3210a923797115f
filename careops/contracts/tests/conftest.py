"""Fixtures of the contract tests: seed 004's vendor and systems, and its text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from careops.cmdb.models import BusinessSystem, Vendor

ROOT = Path(__file__).resolve().parents[3]
SEED_004 = ROOT / "contracts" / "examples" / "seed-004-surgical-video-exam.yaml"


@pytest.fixture
def cmdb(db: Any) -> dict[str, Any]:
    vendor = Vendor.objects.create(code="V-EDU", name="博学医教科技有限公司")
    video = BusinessSystem.objects.create(code="SURG-VIDEO", name="手术视频",
                                          category="research_teaching")
    exam = BusinessSystem.objects.create(code="EXAM-STD", name="考试系统",
                                         category="research_teaching")
    return {"vendor": vendor, "systems": [video, exam]}


@pytest.fixture
def seed_004() -> str:
    return SEED_004.read_text(encoding="utf-8")


# --- the obligation tracker -------------------------------------------------------------
EXAMPLES = ROOT / "contracts" / "examples"
SEED_002 = EXAMPLES / "seed-002-jiahe-icu.yaml"


@pytest.fixture
def edu(cmdb: dict[str, Any], alice: Any, bob: Any) -> Any:
    """Seed 004 loaded by alice over the cmdb fixture; bob engineers for its vendor."""
    from careops.contracts.actions import profiles

    cmdb["vendor"].engineers.add(bob)
    for system in cmdb["systems"]:
        system.maintainers.add(cmdb["vendor"])
    return profiles.load_profile(alice, SEED_004.read_text(encoding="utf-8"),
                                 valid_from=dt.date(2026, 1, 1),
                                 now=dt.datetime(2025, 12, 1, tzinfo=dt.UTC)).version.profile


@pytest.fixture
def jiahe(db: Any, alice: Any) -> Any:
    """Seed 002 loaded by alice (no vendor engineer of ours maintains it)."""
    from careops.contracts.actions import profiles

    Vendor.objects.create(code="V-JIAHE", name="嘉和美康")
    BusinessSystem.objects.create(code="ICU-JH", name="嘉和重症系统", category="clinical")
    return profiles.load_profile(alice, SEED_002.read_text(encoding="utf-8"),
                                 valid_from=dt.date(2026, 1, 1),
                                 now=dt.datetime(2025, 12, 1, tzinfo=dt.UTC)).version.profile
