"""The demo hospital: what it holds, idempotent loading, removing only demo data."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from careops.cmdb import demo
from careops.cmdb.actions import items, relations
from careops.cmdb.graph import impact_of
from careops.cmdb.models import (
    MODEL_BY_KIND,
    BusinessSystem,
    ConfigItem,
    Contact,
    Department,
    Host,
    Interface,
    Relation,
    Room,
    Site,
    Vendor,
)
from careops.core.management.commands.up import Command as UpCommand
from careops.core.models import AuditRecord
from conftest import require_service

# Seed 001's annex (第三方业务系统统一服务体系建设项目), its 37 lines verbatim.
ANNEX_001 = [
    "ICU重症医学信息平台系统维护（米健）",
    "重症监护管理系统维护（麦迪斯顿）",
    "超声管理系统维护",
    "不良事件上报系统",
    "病理诊断信息系统",
    "病理流程管理系统",
    "数字切片扫描系统",
    "医院医院感染实时监控系统",
    "辅助生殖信息系统",
    "放射叫号系统",
    "放射科PACS/RIS系统",
    "康复科治疗信息采集系统",
    "产前诊断信息管理系统",
    "医疗输送信息管理系统",
    "“三基”考试软件维护费",
    "医保公医病人申报服务流程管理软件",
    "医学伦理委员会系统",
    "儿童保健临床信息系统",
    "进修生管理系统（子项目1）",
    "医保智能审核系统",
    "中国疾病预防控制信息系统客户端KEY年审费用",
    "临床用血管理系统",
    "输血系统优化项目",
    "内镜系统病理标本申请单接口",
    "传染病监测预警管理系统",
    "单病种系统",
    "传染病流感监测",
    "医学在线考试系统西医、护理版维护服务",
    "传染病报告推送信息系统",
    "全业务预约平台建设项目",
    "影像信息软件（智能呼叫系统）",
    "中国医院药物警戒系统",
    "影像中心维护",
    "临床用血管理系统优化（二期）",
    "计财处微信公众号二期项目",
    "办公自动化系统",
    "中英文网站",
]

# The system names the issue quotes from the annex.
ANNEX_SYSTEM_NAMES = [
    "ICU重症医学信息平台（米健）", "重症监护管理系统（麦迪斯顿）", "超声管理系统",
    "不良事件上报系统", "病理诊断信息系统", "病理流程管理系统", "数字切片扫描系统",
    "医院感染实时监控系统", "辅助生殖信息系统", "放射叫号系统", "放射科PACS/RIS系统",
    "康复科治疗信息采集系统", "产前诊断信息管理系统", "医疗输送信息管理系统",
    "“三基”考试软件", "医保公医病人申报服务流程管理软件", "医学伦理委员会系统",
    "儿童保健临床信息系统", "进修生管理系统",
]

# Systems named in the other seeds (000, 002, 003, 004).
SEED_SYSTEMS = {
    "公立医院综合管理数字孪生交互可视化系统": "000",
    "嘉和重症系统": "002",
    "血透信息管理系统": "003",
    "CKD及腹膜透析管理系统": "003",
    "手术操作视频教学平台": "004",
    "住培考试系统": "004",
}


@pytest.fixture
def loaded(db: Any) -> demo.Outcome:
    return demo.load()


def demo_state() -> dict[str, Any]:
    """Everything the demo touches, to compare before and after a run."""
    state: dict[str, Any] = {
        model.__name__: sorted(model.objects.values_list("pk", "updated_at"))
        for model in MODEL_BY_KIND.values()
    }
    state["relations"] = sorted(Relation.objects.values_list("pk", flat=True))
    state["contacts"] = sorted(Contact.objects.values_list("pk", flat=True))
    state["audit"] = AuditRecord.objects.count()
    return state


@pytest.mark.django_db
def test_it_loads_every_system_of_the_annex_of_seed_001(loaded: demo.Outcome) -> None:
    annex_systems = BusinessSystem.objects.filter(notes__contains="招标文本 001")
    assert annex_systems.count() == 37
    for number, line in enumerate(ANNEX_001, start=1):
        system = annex_systems.get(notes__endswith=f"附件第 {number} 项：{line}")
        assert system.is_demo
    names = set(annex_systems.values_list("name", flat=True))
    assert len(names) == 37
    assert set(ANNEX_SYSTEM_NAMES) <= names
    # Maintained under the unified service contract, next to the brand's own vendor.
    icu = BusinessSystem.objects.get(name="ICU重症医学信息平台（米健）")
    assert set(icu.maintainers.values_list("code", flat=True)) == {"V-MIJIAN", "V-OPS"}


@pytest.mark.django_db
def test_it_loads_the_systems_of_the_other_seeds_and_the_core_ones(loaded: demo.Outcome) -> None:
    for name, seed in SEED_SYSTEMS.items():
        system = BusinessSystem.objects.get(name=name)
        assert f"招标文本 {seed}" in system.notes
    jiahe = BusinessSystem.objects.get(name="嘉和重症系统")
    assert jiahe.vendor is not None and jiahe.vendor.name.startswith("嘉和")
    assert jiahe.criticality == 1 and jiahe.patient_safety
    for code in ("HIS", "EMR", "LIS", "PACS"):
        system = BusinessSystem.objects.get(code=code)
        assert system.criticality == 1 and system.patient_safety
    assert BusinessSystem.objects.get(code="OA").criticality >= 3
    assert Interface.objects.filter(source_system__code="HIS", target_system__code="LIS",
                                    protocol="hl7v2_mllp").exists()
    assert Interface.objects.filter(source_system__code="LIS", target_system__code="HIS").exists()


@pytest.mark.django_db
def test_everything_it_loads_is_demo_data(loaded: demo.Outcome) -> None:
    assert ConfigItem.objects.count() > 200
    assert not ConfigItem.objects.filter(is_demo=False).exists()
    assert not Relation.objects.filter(is_demo=False).exists()
    assert not Contact.objects.filter(is_demo=False).exists()
    for model in (Site, Department, Vendor):
        assert model.objects.exists()
        assert not model.objects.filter(is_demo=False).exists()
    # Written through the actions: audited, by the "demo" system actor.
    records = AuditRecord.objects.filter(object_type="cmdb.businesssystem")
    assert records.count() == 49
    assert set(records.values_list("actor_username", flat=True)) == {"demo"}
    # Monitoring endpoints follow the OS family.
    his_app = Host.objects.get(code="VM-HIS-APP-01")
    assert his_app.monitoring_endpoints == [{"job": "windows", "target": "10.10.10.11:9182"}]
    esb = Host.objects.get(code="VM-ESB-01")
    assert esb.monitoring_endpoints == [{"job": "node", "target": "10.10.10.51:9100"}]


@pytest.mark.django_db
def test_the_main_server_room_takes_down_most_of_the_hospital(loaded: demo.Outcome) -> None:
    impact = impact_of(Room.objects.get(code="DC-MAIN"))
    assert len(impact.systems) >= 45
    assert BusinessSystem.objects.get(code="HIS").pk in impact.systems
    assert len(impact.departments) >= 35
    assert impact.worst_criticality == 1 and impact.patient_safety
    # The fax-like CDC client runs on a PC in the department, not in the server room.
    assert BusinessSystem.objects.get(code="CDC-CLIENT").pk not in impact.systems
    # The PACS image NAS: PACS, digital slides, surgical video and what needs PACS.
    nas = impact_of(ConfigItem.objects.get(code="STO-NAS-PACS"))
    codes = set(BusinessSystem.objects.filter(pk__in=nas.systems).values_list("code",
                                                                              flat=True))
    assert {"PACS", "PATH-WSI", "SURG-VIDEO", "RAD-QUEUE", "IMG-CENTER"} <= codes
    assert "HIS" not in codes


@pytest.mark.django_db
def test_a_second_run_changes_nothing(loaded: demo.Outcome) -> None:
    assert loaded.total > 500
    before = demo_state()
    again = demo.load()
    assert again.total == 0
    assert demo_state() == before
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "already loaded; nothing changed" in out.getvalue()
    assert demo_state() == before


@pytest.mark.django_db
def test_reset_removes_exactly_the_demo_data(loaded: demo.Outcome, alice: Any) -> None:
    his = BusinessSystem.objects.get(code="HIS")
    server_room = Room.objects.get(code="DC-MAIN")
    # alice adds her own records, some pointing at demo ones.
    mine = items.create(alice, Host, {"code": "SRV-ALICE", "name": "我的主机",
                                      "hostname": "alice-01", "os_family": "rhel",
                                      "room": server_room, "vendor": his.vendor})
    my_vendor = items.create(alice, Vendor, {"code": "V-ALICE", "name": "自有服务商"})
    relations.add(alice, his, "runs_on", mine)
    out = io.StringIO()
    call_command("demo", "--reset", stdout=out)
    assert "Removed the demo hospital" in out.getvalue()
    assert not ConfigItem.objects.filter(is_demo=True).exists()
    for model in (Site, Department, Vendor, Contact, Relation):
        assert not model.objects.filter(is_demo=True).exists()
    mine.refresh_from_db()
    assert mine.room is None and mine.vendor is None
    assert list(ConfigItem.objects.values_list("code", flat=True)) == ["SRV-ALICE"]
    assert list(Vendor.objects.all()) == [my_vendor]
    assert not Relation.objects.exists()


@pytest.mark.django_db
def test_reset_refuses_when_user_records_need_demo_ones(loaded: demo.Outcome,
                                                        alice: Any) -> None:
    vendor = Vendor.objects.get(code="V-HUAKANG")
    items.create(alice, Contact, {"vendor": vendor, "name": "王工"})
    floor = Room.objects.get(code="DC-MAIN").floor
    items.create(alice, Room, {"code": "RM-UPS", "name": "UPS 配电室", "floor": floor})
    with pytest.raises(CommandError) as info:
        call_command("demo", "--reset")
    assert "王工" in str(info.value) and "UPS 配电室" in str(info.value)
    assert ConfigItem.objects.filter(is_demo=True).count() > 200


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_it_refuses_codes_taken_by_user_records(alice: Any) -> None:
    items.create(alice, Site, {"code": "MAIN", "name": "我的医院"})
    items.create(alice, Host, {"code": "HIS", "name": "HIS?", "hostname": "his",
                               "os_family": "rhel"})
    with pytest.raises(CommandError) as info:
        call_command("demo")
    assert "HIS, MAIN" in str(info.value)
    assert ConfigItem.objects.count() == 1


@pytest.mark.django_db
def test_up_with_demo_loads_it_only_into_an_empty_cmdb(alice: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def fake_load() -> demo.Outcome:
        calls.append("load")
        return demo.Outcome()

    monkeypatch.setattr(demo, "load", fake_load)
    up = UpCommand(stdout=io.StringIO())
    up._load_demo()
    assert calls == ["load"]
    assert "Loaded the demo hospital" in up.stdout.getvalue()
    items.create(alice, Host, {"code": "SRV-1", "name": "一号机", "hostname": "srv-1",
                               "os_family": "rhel"})
    up = UpCommand(stdout=io.StringIO())
    up._load_demo()
    assert calls == ["load"]
    assert "not loaded" in up.stdout.getvalue()


@pytest.mark.postgres
@pytest.mark.slow
def test_it_loads_into_a_fresh_postgresql_database(tmp_path: Any) -> None:
    require_service("postgres")
    import psycopg

    server = os.environ.get("CAREOPS_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    name = f"careops_demo_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CAREOPS_", "DATABASE_URL", "PYTEST"))}
    env.update(CAREOPS_VAR_DIR=str(tmp_path), DATABASE_URL=f"{server}/{name}")

    def careops(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "careops.cli", *args], env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    try:
        careops("migrate", "-v", "0")
        assert "49 business systems" in careops("demo")
        assert "nothing changed" in careops("demo")
        assert "Removed the demo hospital" in careops("demo", "--reset")
        assert "49 business systems" in careops("demo")
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
