"""A small hospital for the alert tests, under seed contract 004.

The surgical video system (patient safety, served by surgery) runs on host SRV-VIDEO-01
and uses database DB-VIDEO on it, behind the web service WEB-VIDEO on the same host.
The exam system (surgery and teaching) runs on SRV-EXAM-01. SRV-LONE runs nothing.
Import ``hospital_fixture`` and ``signal_fixture`` into a test module to use the
fixtures ``hospital`` and ``signal``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from careops.cmdb.models import (
    BusinessSystem,
    DatabaseInstance,
    Department,
    Host,
    Relation,
    Service,
    Vendor,
)
from careops.contracts.actions import profiles
from careops.contracts.tests.seeds import SEED_004, seed_004_text
from careops.monitoring.types import AlertSignal

# A Monday morning inside seed 004's service period, in working hours (Asia/Shanghai).
T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(name="hospital")
def hospital_fixture(db: Any, alice: Any, bob: Any) -> dict[str, Any]:
    from importlib import import_module

    from django.apps import apps

    # a transactional test before this one may have flushed the built-in calendars
    import_module("careops.core.migrations.0005_calendars_builtin").create(apps, None)
    vendor = Vendor.objects.create(code="V-EDU", name="博学医教科技有限公司")
    vendor.engineers.add(bob)
    surgery = Department.objects.create(code="SURG", name="手术部")
    teaching = Department.objects.create(code="TEACH", name="教学部")
    video = BusinessSystem.objects.create(code="SURG-VIDEO", name="手术视频",
                                          category="research_teaching", patient_safety=True)
    exam = BusinessSystem.objects.create(code="EXAM-STD", name="考试系统",
                                         category="research_teaching")
    video.departments.add(surgery)
    exam.departments.add(surgery, teaching)
    for system in (video, exam):
        system.maintainers.add(vendor)
    host = Host.objects.create(code="SRV-VIDEO-01", name="视频服务器", hostname="video01",
                               addresses=["10.1.2.3"], os_family="rhel")
    exam_host = Host.objects.create(code="SRV-EXAM-01", name="考试服务器", hostname="exam01",
                                    addresses=["10.1.2.4"], os_family="rhel")
    lone = Host.objects.create(code="SRV-LONE", name="闲置服务器", hostname="lone",
                               addresses=["10.9.9.9"], os_family="rhel")
    database = DatabaseInstance.objects.create(code="DB-VIDEO", name="视频数据库",
                                               engine="postgresql", host=host, port=5432)
    web = Service.objects.create(code="WEB-VIDEO", name="视频门户", service_kind="web",
                                 host=host)
    Relation.objects.create(source=video, type="runs_on", target=host)
    Relation.objects.create(source=video, type="uses_database", target=database)
    Relation.objects.create(source=video, type="depends_on", target=web)
    Relation.objects.create(source=exam, type="runs_on", target=exam_host)
    # its period stretched to cover today: the end-to-end tests (the real collector, a real
    # Alertmanager) open their incidents at the real current time
    profiles.load_profile(alice, seed_004_text())
    return {"vendor": vendor, "video": video, "exam": exam, "host": host,
            "exam_host": exam_host, "lone": lone, "database": database, "web": web}


@pytest.fixture(name="signal")
def signal_fixture() -> Callable[..., AlertSignal]:
    def make(name: str = "HostDown", item: Any = None, status: str = "firing",
             severity: str = "critical", at: dt.datetime = T0, source: str = "check",
             **labels: str) -> AlertSignal:
        return AlertSignal(source=source, name=name,
                           labels=labels or {"item": item.code if item else "none"},
                           status=status, severity=severity, starts_at=at,
                           summary=f"{name} {item.code if item else ''}".strip(),
                           item_id=item.pk if item is not None else None,
                           ends_at=at if status == "resolved" else None)

    return make


__all__ = ["SEED_004", "T0", "hospital_fixture", "signal_fixture"]
