"""Fixtures of the contract tests: seed 004's vendor and systems, and its text."""

from __future__ import annotations

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
