"""Import inventories from XLSX/CSV files: column specs per class, a dry run that
validates every row without writing, and an atomic apply through the CMDB actions.

A file holds one class (a CSV file, or one sheet) or a whole hospital (a workbook
with one sheet per class). References between rows of the same file (a host and
the room it stands in, relations between items of the file) are resolved in
dependency order. Lookups are batched: validating 10,000 rows runs a constant
number of queries.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from careops.cmdb.actions import items as item_actions
from careops.cmdb.actions import relations as relation_actions
from careops.cmdb.actions.relations import refusal_message
from careops.cmdb.choices import InterfaceDirection
from careops.cmdb.graph import graph as load_graph
from careops.cmdb.models import (
    BackupJob,
    Building,
    BusinessSystem,
    ConfigItem,
    Contact,
    DatabaseInstance,
    Department,
    Floor,
    Host,
    Interface,
    NetworkDevice,
    Relation,
    Room,
    Service,
    Site,
    StorageDevice,
    Vendor,
)
from careops.cmdb.validators import EXPORTER_JOBS
from careops.core import audit
from careops.core.choices import AuditAction
from careops.core.roles import Cap, has_cap
from careops.logic import tabular
from careops.logic.impact import Graph, Node, RelationError

CHUNK = 500  # codes per IN (...) lookup
LANGUAGES = ("en", "zh-hans")


# ---------------------------------------------------------------- column specs

@dataclass(frozen=True)
class Column:
    key: str
    type: str = "text"  # text int decimal bool date choice os memory ips list tags endpoints
    #                     disks ref refs user
    field: str = ""  # model field (defaults to key)
    ref: str = ""  # the class key a ref/refs column points at
    required: bool = False
    title: Any = None  # defaults to the model field's verbose name
    aliases: tuple[str, ...] = ()  # more accepted titles (Chinese Excel habits)
    sample: str = ""

    @property
    def attr(self) -> str:
        return self.field or self.key


@dataclass(frozen=True)
class Spec:
    key: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    identity: str = "code"  # "code", "contact" or "relation"

    @property
    def is_item(self) -> bool:
        return issubclass(self.model, ConfigItem)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def title(self, column: Column) -> str:
        if column.title is not None:
            return str(column.title)
        return str(model_field(self.model, column.attr).verbose_name)

    def titles(self, column: Column) -> list[str]:
        """The column's titles in every language, and its aliases."""
        names = [column.key, *column.aliases]
        for language in LANGUAGES:
            with translation.override(language):
                names.append(self.title(column))
        return names

    def labels(self) -> list[str]:
        names = [self.key, *SHEET_ALIASES.get(self.key, ())]
        for language in LANGUAGES:
            with translation.override(language):
                names += [str(self.model._meta.verbose_name),
                          str(self.model._meta.verbose_name_plural)]
        return names

    @property
    def verbose_name_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)


# Sheet names people use, whatever the interface language.
SHEET_ALIASES: dict[str, tuple[str, ...]] = {
    "site": ("院区", "医院", "sites"), "building": ("楼宇", "楼栋", "建筑", "buildings"),
    "floor": ("楼层", "floors"), "department": ("科室", "部门", "departments"),
    "vendor": ("服务商", "厂商", "供应商", "vendors"), "contact": ("联系人", "contacts"),
    "room": ("房间", "机房", "rooms"), "system": ("业务系统", "系统", "systems"),
    "host": ("主机", "服务器", "hosts", "servers"),
    "database": ("数据库", "数据库实例", "databases"),
    "service": ("服务", "中间件", "services"), "interface": ("接口", "interfaces"),
    "network_device": ("网络设备", "network devices"),
    "storage_device": ("存储设备", "存储", "storage devices"),
    "backup_job": ("备份任务", "备份", "backup jobs"), "relation": ("关系", "relations"),
}


def _coded(*extra: Column, sample_code: str, sample_name: str) -> tuple[Column, ...]:
    return (Column("code", required=True, aliases=("编码", "编号", "代码"), sample=sample_code),
            Column("name", required=True, aliases=("名称",), sample=sample_name),
            *extra, Column("notes", aliases=("备注",)))


def _item(*extra: Column, sample_code: str, sample_name: str) -> tuple[Column, ...]:
    return (Column("code", required=True, aliases=("编码", "编号", "资产编号"),
                   sample=sample_code),
            Column("name", required=True, aliases=("名称",), sample=sample_name),
            Column("status", "choice", aliases=("状态",), sample="active"),
            Column("vendor", "ref", ref="vendor", aliases=("厂商", "供应商", "服务商"),
                   sample="V-WINNING"),
            Column("owner", "user", aliases=("负责人",)),
            Column("tags", "tags", aliases=("标签",)),
            *extra,
            Column("monitoring_endpoints", "endpoints", aliases=("监控", "监控端点")),
            Column("notes", aliases=("备注",)))


SPECS: dict[str, Spec] = {s.key: s for s in (
    Spec("site", Site, _coded(Column("address", aliases=("地址",)),
                              sample_code="MAIN", sample_name="总院")),
    Spec("building", Building, _coded(
        Column("site", "ref", ref="site", required=True, aliases=("院区",), sample="MAIN"),
        sample_code="B1", sample_name="门诊楼")),
    Spec("floor", Floor, _coded(
        Column("building", "ref", ref="building", required=True, aliases=("楼宇", "楼栋"),
               sample="B1"),
        Column("level", "int", required=True, aliases=("楼层",), sample="3"),
        sample_code="B1-F3", sample_name="三楼")),
    Spec("department", Department, _coded(
        Column("site", "ref", ref="site", aliases=("院区",), sample="MAIN"),
        Column("phone", aliases=("电话",)),
        sample_code="LAB", sample_name="检验科")),
    Spec("vendor", Vendor, _coded(
        Column("phone", aliases=("电话", "服务热线"), sample="400-800-1234"),
        Column("email", aliases=("邮箱",)), Column("wechat", aliases=("微信",)),
        Column("website", aliases=("网址",)),
        sample_code="V-WINNING", sample_name="卫宁健康")),
    Spec("contact", Contact, (
        Column("vendor", "ref", ref="vendor", aliases=("厂商", "服务商"), sample="V-WINNING"),
        Column("department", "ref", ref="department", aliases=("科室",)),
        Column("name", required=True, aliases=("姓名", "联系人"), sample="张工"),
        Column("title", aliases=("职务",)), Column("phone", aliases=("电话", "手机"),
                                                  sample="13800000000"),
        Column("wechat", aliases=("微信",)), Column("email", aliases=("邮箱",)),
        Column("escalation_level", "int", aliases=("升级级别",), sample="1"),
    ), identity="contact"),
    Spec("room", Room, _item(
        Column("floor", "ref", ref="floor", required=True, aliases=("楼层",), sample="B1-F3"),
        Column("is_server_room", "bool", aliases=("是否机房",), sample="是"),
        Column("department", "ref", ref="department", aliases=("科室",)),
        sample_code="DC-1", sample_name="中心机房")),
    Spec("system", BusinessSystem, _item(
        Column("category", "choice", required=True, aliases=("类别", "分类"), sample="clinical"),
        Column("criticality", "choice", aliases=("重要性", "重要等级", "等级"), sample="1"),
        Column("patient_safety", "bool", aliases=("患者安全",), sample="是"),
        Column("hours_of_use", "choice", aliases=("使用时间",), sample="7x24"),
        Column("value_per_hour", "decimal", aliases=("每小时价值",), sample="50000"),
        Column("version", aliases=("版本",), sample="5.0"),
        Column("go_live", "date", aliases=("上线日期", "上线时间"), sample="2019-06-01"),
        Column("departments", "refs", ref="department", aliases=("服务科室", "使用科室"),
               sample="LAB"),
        Column("maintainers", "refs", ref="vendor", aliases=("维护厂商", "运维厂商"),
               sample="V-WINNING"),
        sample_code="HIS", sample_name="医院信息系统")),
    Spec("host", Host, _item(
        Column("hostname", required=True, aliases=("主机名", "计算机名"), sample="his-app-01"),
        Column("addresses", "ips", aliases=("ip", "ip地址", "地址", "管理ip"),
               sample="10.1.2.20"),
        Column("os_family", "os", required=True, aliases=("操作系统", "os", "系统"),
               sample="CentOS 7"),
        Column("os_version", aliases=("系统版本",), sample="7.9"),
        Column("machine_kind", "choice", aliases=("类型", "物理/虚拟", "虚拟/物理"),
               sample="虚拟"),
        Column("cpu_cores", "int", aliases=("cpu", "cpu核数", "核数"), sample="8"),
        Column("memory_mb", "memory", aliases=("内存", "内存(mb)", "memory"), sample="16G"),
        Column("disks", "disks", aliases=("磁盘",), sample="/=100, /data=500"),
        Column("room", "ref", ref="room", aliases=("机房", "房间"), sample="DC-1"),
        Column("rack", aliases=("机柜", "机柜位置"), sample="A03-U12"),
        Column("network_zone", "choice", aliases=("网络区域", "网络"), sample="internal"),
        Column("ssh_port", "int", aliases=("ssh端口",)),
        sample_code="SRV-HIS-01", sample_name="HIS 应用服务器")),
    Spec("database", DatabaseInstance, _item(
        Column("engine", "choice", required=True, aliases=("数据库类型", "类型"),
               sample="oracle"),
        Column("version", aliases=("版本",), sample="19c"),
        Column("host", "ref", ref="host", aliases=("主机", "服务器"), sample="SRV-HIS-01"),
        Column("port", "int", aliases=("端口",), sample="1521"),
        Column("databases", "list", aliases=("数据库", "库名", "实例名"), sample="HISDB"),
        sample_code="DB-HIS", sample_name="HIS 数据库")),
    Spec("service", Service, _item(
        Column("service_kind", "choice", required=True, aliases=("类型",), sample="web"),
        Column("software", aliases=("软件",), sample="nginx"),
        Column("version", aliases=("版本",), sample="1.24"),
        Column("host", "ref", ref="host", aliases=("主机", "服务器"), sample="SRV-HIS-01"),
        Column("endpoints", "list", aliases=("地址", "访问地址"),
               sample="https://his.example.org"),
        sample_code="SVC-HIS-WEB", sample_name="HIS 前置 Web")),
    Spec("interface", Interface, _item(
        Column("protocol", "choice", required=True, aliases=("协议", "接口方式"),
               sample="hl7v2_mllp"),
        Column("direction", "choice", aliases=("方向",), sample="one_way"),
        Column("source_system", "ref", ref="system", required=True,
               aliases=("源系统", "来源系统"), sample="HIS"),
        Column("target_system", "ref", ref="system", required=True,
               aliases=("目标系统",), sample="LIS"),
        Column("endpoint", aliases=("地址", "接口地址"), sample="10.1.2.30:2575"),
        Column("schedule", aliases=("频率", "调度"), sample="实时"),
        sample_code="IF-HIS-LIS", sample_name="检验申请")),
    Spec("network_device", NetworkDevice, _item(
        Column("device_kind", "choice", required=True, aliases=("类型",), sample="switch"),
        Column("model", aliases=("型号",), sample="S5735"),
        Column("management_address", aliases=("管理地址", "管理ip")),
        Column("room", "ref", ref="room", aliases=("机房",), sample="DC-1"),
        Column("rack", aliases=("机柜",)),
        Column("network_zone", "choice", aliases=("网络区域",), sample="internal"),
        sample_code="SW-CORE-1", sample_name="核心交换机")),
    Spec("storage_device", StorageDevice, _item(
        Column("storage_kind", "choice", required=True, aliases=("类型",), sample="san"),
        Column("model", aliases=("型号",)),
        Column("capacity_tb", "decimal", aliases=("容量", "容量(tb)"), sample="200"),
        Column("management_address", aliases=("管理地址", "管理ip")),
        Column("room", "ref", ref="room", aliases=("机房",), sample="DC-1"),
        Column("rack", aliases=("机柜",)),
        sample_code="SAN-1", sample_name="集中存储")),
    Spec("backup_job", BackupJob, _item(
        Column("method", "choice", required=True, aliases=("备份方式",), sample="full"),
        Column("tool", aliases=("工具", "备份软件"), sample="RMAN"),
        Column("local_destination", aliases=("本地目标",)),
        Column("offsite_destination", aliases=("异地目标",)),
        Column("schedule", required=True, aliases=("计划", "频率"), sample="每日 01:30"),
        Column("retention_days", "int", required=True, aliases=("保留天数",), sample="30"),
        Column("storage", "ref", ref="storage_device", aliases=("存储", "存储设备")),
        sample_code="BK-HIS-DB", sample_name="HIS 数据库备份")),
    Spec("relation", Relation, (
        Column("source", "ref", ref="item", required=True,
               title=gettext_lazy("from (code)"), aliases=("源", "源编码", "source code"),
               sample="HIS"),
        Column("type", "choice", required=True, aliases=("关系", "关系类型"),
               sample="runs_on"),
        Column("target", "ref", ref="item", required=True,
               title=gettext_lazy("to (code)"), aliases=("目标", "目标编码", "target code"),
               sample="SRV-HIS-01"),
        Column("note", aliases=("说明", "备注")),
    ), identity="relation"),
)}

CLASS_CHOICES = [(key, spec.model._meta.verbose_name_plural) for key, spec in SPECS.items()]


def spec_for_title(title: str) -> Spec | None:
    """The spec whose key or (plural) name, in any language, is ``title``."""
    wanted = tabular.normalise_title(title)
    for spec in SPECS.values():
        if any(tabular.normalise_title(label) == wanted for label in spec.labels()):
            return spec
    return None


def sample_row(spec: Spec) -> list[str]:
    return [column.sample for column in spec.columns]


# ---------------------------------------------------------------- choices

def model_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", model._meta.get_field(name))


def choices_of(spec: Spec, column: Column) -> list[tabular.Choice]:
    field_ = model_field(spec.model, column.attr)
    result = []
    for value, label in field_.choices or ():
        labels = []
        for language in LANGUAGES:
            with translation.override(language):
                labels.append(str(label))
        labels += CHOICE_ALIASES.get((column.attr, str(value)), ())
        result.append(tabular.Choice(str(value), tuple(labels)))
    return result


CHOICE_ALIASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("machine_kind", "physical"): ("物理", "物理机", "实体机", "pm", "baremetal"),
    ("machine_kind", "virtual"): ("虚拟", "虚拟机", "vm", "云主机"),
    ("status", "active"): ("在用", "运行", "正常", "使用中", "在线"),
    ("status", "planned"): ("规划", "计划", "待上线"),
    ("status", "maintenance"): ("维护", "维修"),
    ("status", "retired"): ("下线", "停用", "报废", "已下线"),
    ("hours_of_use", "7x24"): ("7*24", "724", "全天", "24小时"),
    ("hours_of_use", "working_hours"): ("工作时间", "白天"),
    ("criticality", "1"): ("critical", "关键", "核心", "一级"),
    ("criticality", "2"): ("high", "高", "重要", "二级"),
    ("criticality", "3"): ("medium", "中", "一般", "三级"),
    ("criticality", "4"): ("low", "低", "四级"),
    ("engine", "postgresql"): ("postgres", "pg", "pgsql"),
    ("engine", "sqlserver"): ("mssql", "sql server", "ms sql"),
    ("engine", "dm"): ("达梦", "dameng", "dm8", "dm7"),
    ("engine", "kingbase"): ("人大金仓", "金仓", "kingbasees"),
    ("engine", "oracle"): ("oracle 11g", "oracle 19c"),
    ("protocol", "hl7v2_mllp"): ("hl7", "hl7v2", "mllp"),
    ("protocol", "soap"): ("webservice", "web service", "ws"),
    ("protocol", "db_view"): ("视图", "数据库视图", "view"),
    ("protocol", "file_drop"): ("文件", "ftp", "共享目录"),
    ("direction", "one_way"): ("单向", "one way"),
    ("direction", "two_way"): ("双向", "two way"),
    ("network_zone", "internal"): ("内网", "业务内网"),
    ("network_zone", "external"): ("外网", "互联网"),
    ("network_zone", "device"): ("设备网", "医疗设备网"),
    ("network_zone", "management"): ("管理网",),
    ("category", "clinical"): ("临床",),
    ("category", "medical_technical"): ("医技",),
    ("category", "administrative"): ("管理", "行政"),
    ("category", "public_facing"): ("便民", "患者服务", "互联网医院"),
    ("category", "platform"): ("平台", "集成平台"),
    ("category", "research_teaching"): ("科研", "教学", "科教"),
}

# Exporters by their default port, for endpoints written as a bare host:port.
CELL_MESSAGES = {
    "bool": gettext_lazy("%(value)s is not yes or no (是/否)."),
    "int": gettext_lazy("%(value)s is not a whole number."),
    "decimal": gettext_lazy("%(value)s is not a number."),
    "date": gettext_lazy("%(value)s is not a date (use YYYY-MM-DD)."),
    "memory": gettext_lazy("%(value)s is not a memory size (e.g. 16G or 16384)."),
    "ip": gettext_lazy("Bad address: %(value)s is not an IP address."),
    "choice": gettext_lazy("Unknown value %(value)s; use one of: %(options)s."),
    "os": gettext_lazy("Unknown OS: %(value)s is not an operating system CareOps knows "
                       "(e.g. CentOS 7, Windows Server 2019, Kylin V10, UOS 20)."),
    "endpoint": gettext_lazy("Write %(value)s as job=host:port (jobs: %(options)s)."),
    "disk": gettext_lazy("Write the disk %(value)s as mount=size in GB, e.g. /data=500."),
}


def cell_message(exc: tabular.CellError) -> str:
    return str(CELL_MESSAGES[exc.code]) % {"value": exc.value, "options": exc.options}


EXPORTER_PORTS = {"9100": "node", "9182": "windows", "9187": "postgres", "9104": "mysqld",
                  "9115": "blackbox"}


# ---------------------------------------------------------------- results

@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None  # as in Excel: header = 1
    column: str  # the column title as in the file ("" for the whole row or file)
    message: str


@dataclass(frozen=True)
class Ref:
    """A reference by code to a record of class ``cls``, in the DB or the file."""

    cls: str
    code: str


@dataclass
class Plan:
    spec: Spec
    sheet: str
    row: int
    label: str  # the code (or the contact's name, the relation's text)
    fields: dict[str, Any] = field(default_factory=dict)
    m2m: dict[str, list[Any]] = field(default_factory=dict)  # instances or Refs
    existing: models.Model | None = None
    action: str = "create"  # create, update, unchanged
    changed: list[str] = field(default_factory=list)


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> list[dict[str, Any]]:
        """Per class: rows to create, update, leave unchanged."""
        out: dict[str, Counter[str]] = {}
        for plan in self.plans:
            out.setdefault(plan.spec.key, Counter())[plan.action] += 1
        return [{"cls": key, "title": SPECS[key].verbose_name_plural,
                 "create": c["create"], "update": c["update"], "unchanged": c["unchanged"]}
                for key, c in out.items()]

    def summary(self) -> dict[str, Any]:
        return {"rows": self.rows, "errors": len(self.problems),
                "classes": {c["cls"]: {k: c[k] for k in ("create", "update", "unchanged")}
                            for c in self.counts()}}


class ImportFailed(Exception):
    def __init__(self, report: Report) -> None:
        self.report = report
        count = len(report.problems)
        super().__init__(ngettext("The file has %(count)s error; nothing was imported.",
                                  "The file has %(count)s errors; nothing was imported.",
                                  count) % {"count": count})


# ---------------------------------------------------------------- reading a file

@dataclass
class _Row:
    sheet: str
    row: int
    cells: dict[str, str]  # column key → text
    titles: dict[str, str]  # column key → title as in the file


def read_sheets(data: bytes, filename: str, cls: str | None,
                report: Report) -> dict[str, list[_Row]]:
    """Rows per class key; problems for unreadable files, unknown sheets, missing columns."""
    try:
        sheets = tabular.read_file(data, filename)
    except tabular.TabularError as exc:
        report.problems.append(Problem(filename, None, "", _("Cannot read the file: %(why)s")
                                       % {"why": exc}))
        return {}
    rows: dict[str, list[_Row]] = {}
    for sheet in sheets:
        if sheet.name.startswith("_"):
            continue  # helper sheets of the templates (dropdown lists)
        spec = SPECS.get(cls) if cls else spec_for_title(sheet.name)
        if spec is None:
            report.problems.append(Problem(sheet.name, None, "", _(
                "Unknown sheet: name each sheet after a class (host, 主机 …) or import it "
                "on its own with a class chosen.")))
            continue
        titles = {c.key: spec.titles(c) for c in spec.columns}
        positions, unknown = tabular.match_header(sheet.header, titles)
        for title in unknown:
            report.warnings.append(Problem(sheet.name, sheet.header_row, title,
                                           _("Unknown column, ignored.")))
        present = set(positions.values())
        for column in spec.columns:
            if column.required and column.key not in present:
                report.problems.append(Problem(sheet.name, sheet.header_row, spec.title(column),
                                               _("Required column is missing.")))
        keys = [c.key for c in spec.columns]
        sample = sample_row(spec)
        out = rows.setdefault(spec.key, [])
        for number, cells in sheet.rows:
            values = {key: cells[pos] if pos < len(cells) else ""
                      for pos, key in positions.items()}
            if all(v in ("", key) for key, v in values.items()) and any(values.values()):
                continue  # the templates' row of machine keys
            if _is_sample(values, keys, sample):
                continue
            if not any(values.values()):
                continue
            out.append(_Row(sheet.name, number, values,
                            {key: sheet.header[pos] for pos, key in positions.items()}))
            report.rows += 1
    return rows


def _is_sample(values: Mapping[str, str], keys: Sequence[str], sample: Sequence[str]) -> bool:
    expected = dict(zip(keys, sample, strict=True))
    return bool(values) and all(values[k] == expected.get(k, "") for k in values)


# ---------------------------------------------------------------- lookups

def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    items = sorted(set(values))
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _by_code(model: type[models.Model], codes: Iterable[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for chunk in _chunks(codes):
        for obj in model._default_manager.filter(code__in=chunk):
            found[obj.code] = obj  # type: ignore[attr-defined]
    return found


class _Lookups:
    """What the database holds for the codes a file mentions, loaded in batches."""

    def __init__(self, rows: Mapping[str, list[_Row]]) -> None:
        wanted: dict[str, set[str]] = {}
        for key, spec_rows in rows.items():
            spec = SPECS[key]
            for column in spec.columns:
                if column.type not in ("ref", "refs"):
                    continue
                for row in spec_rows:
                    text = row.cells.get(column.key, "")
                    if text:
                        codes = tabular.split_list(text) if column.type == "refs" else [text]
                        wanted.setdefault(column.ref, set()).update(codes)
            if spec.identity == "code":
                wanted.setdefault(key, set()).update(r.cells.get("code", "") for r in spec_rows)
        self.db: dict[str, dict[str, Any]] = {}
        item_codes = set(wanted.pop("item", set()))
        for key, key_codes in wanted.items():
            model = SPECS[key].model
            if key == "vendor":
                vendors = list(Vendor.objects.all())
                self.db[key] = {v.code: v for v in vendors}
                self.vendor_names = {v.name: v for v in vendors}
            else:
                self.db[key] = _by_code(model, key_codes)
            if SPECS[key].is_item:
                item_codes |= key_codes
        # Codes are unique across every class of item: know each code's class.
        self.items: dict[str, ConfigItem] = _by_code(ConfigItem, item_codes)
        self.users: dict[str, Any] = {}
        usernames = {r.cells.get("owner", "") for spec_rows in rows.values() for r in spec_rows}
        usernames.discard("")
        if usernames:
            user_model = get_user_model()
            for chunk in _chunks(usernames):
                for user in user_model._default_manager.filter(username__in=chunk):
                    self.users[user.username] = user
        self.contacts: dict[tuple[str, str, str], Contact] = {}
        if "contact" in rows:
            for contact in Contact.objects.select_related("vendor", "department"):
                self.contacts[_contact_key(contact)] = contact
        self.m2m: dict[tuple[str, int], set[int]] = {}
        systems = self.db.get("system", {})
        if systems:
            ids = [s.pk for s in systems.values()]
            for fname, other_id in (("departments", "department_id"),
                                    ("maintainers", "vendor_id")):
                through = getattr(BusinessSystem, fname).through
                for start in range(0, len(ids), CHUNK):
                    for system_id, other in through.objects.filter(
                            businesssystem_id__in=ids[start:start + CHUNK]).values_list(
                            "businesssystem_id", other_id):
                        self.m2m.setdefault((fname, system_id), set()).add(other)


def _contact_key(contact: Contact) -> tuple[str, str, str]:
    return (contact.vendor.code if contact.vendor else "",
            contact.department.code if contact.department else "", contact.name)


# ---------------------------------------------------------------- cell conversion

def _parse_endpoints(text: str) -> list[dict[str, str]]:
    endpoints = []
    for part in tabular.split_list(text):
        job, _eq, target = part.partition("=")
        if not _eq:
            target = part
            port = target.rsplit(":", 1)[-1] if ":" in target else ""
            job = EXPORTER_PORTS.get(port, "")
            if not job:
                raise tabular.CellError("endpoint", part, "job=host:port",
                                        ", ".join(EXPORTER_JOBS))
        target, _sp, path = target.strip().partition(" ")
        entry = {"job": job.strip(), "target": target.strip()}
        if path.strip():
            entry["path"] = path.strip()
        endpoints.append(entry)
    return endpoints


def _format_endpoints(value: Sequence[Mapping[str, str]]) -> str:
    return ", ".join(f"{e.get('job')}={e.get('target')}" + (f" {e['path']}" if e.get("path")
                                                            else "") for e in value)


_DISK = re.compile(r"^(.+?)\s*[=:]\s*([0-9]+(?:\.[0-9]+)?)\s*(?:g|gb|gib)?$", re.IGNORECASE)


def _parse_disks(text: str) -> list[dict[str, Any]]:
    disks: list[dict[str, Any]] = []
    for part in tabular.split_list(text):
        found = _DISK.match(part)
        if found is None:
            raise tabular.CellError("disk", part, "mount=size")
        size = Decimal(found.group(2))
        disks.append({"mount": found.group(1).strip(),
                      "size_gb": int(size) if size == size.to_integral_value() else float(size)})
    return disks


def _format_disks(value: Sequence[Mapping[str, Any]]) -> str:
    return ", ".join(f"{d.get('mount')}={d.get('size_gb')}" for d in value)


# ---------------------------------------------------------------- the dry run

class _Validator:
    def __init__(self, rows: dict[str, list[_Row]], update: bool, report: Report) -> None:
        self.rows = rows
        self.update = update
        self.report = report
        self.lookups = _Lookups(rows)
        self.choices: dict[tuple[str, str], list[tabular.Choice]] = {}
        # Codes the file defines, per class (for references within the file).
        self.file_codes: dict[str, dict[str, _Row]] = {}
        self.file_items: dict[str, tuple[str, _Row]] = {}  # item code → (class, row)
        self.vendor_names_in_file: dict[str, str] = {}
        self.contact_rows: dict[tuple[str, str, str], _Row] = {}

    def error(self, row: _Row, column: str, message: str) -> None:
        title = row.titles.get(column, column) if column else ""
        self.report.problems.append(Problem(row.sheet, row.row, title, message))

    # -- pass 1: what the file defines, duplicates within the file
    def index(self) -> None:
        for key, spec_rows in self.rows.items():
            spec = SPECS[key]
            if spec.identity != "code":
                continue
            seen = self.file_codes.setdefault(key, {})
            for row in spec_rows:
                code = row.cells.get("code", "")
                if not code:
                    continue
                first = seen.get(code)
                if first is None and spec.is_item:
                    other = self.file_items.get(code)
                    first = other[1] if other else None
                if first is not None:
                    self.error(row, "code", _("Duplicate code %(code)s: also on row %(row)s of "
                                              "%(sheet)s.") % {"code": code, "row": first.row,
                                                               "sheet": first.sheet})
                    continue
                seen[code] = row
                if spec.is_item:
                    self.file_items[code] = (key, row)
                if key == "vendor" and row.cells.get("name"):
                    self.vendor_names_in_file[row.cells["name"]] = code

    # -- references
    def resolve(self, ref_cls: str, text: str) -> Ref | Any | None:
        """The DB object or a Ref to a file row, or None when neither has ``text``."""
        if ref_cls == "item":
            if text in self.file_items:
                return Ref(self.file_items[text][0], text)
            return self.lookups.items.get(text)
        if text in self.file_codes.get(ref_cls, {}):
            return Ref(ref_cls, text)
        found = self.lookups.db.get(ref_cls, {}).get(text)
        if found is None and ref_cls == "vendor":
            found = getattr(self.lookups, "vendor_names", {}).get(text)
            if found is None and text in self.vendor_names_in_file:
                return Ref("vendor", self.vendor_names_in_file[text])
        return found

    def convert(self, spec: Spec, column: Column, text: str) -> Any:
        """The model value of one cell; raise CellError with a message."""
        kind = column.type
        if kind == "text":
            return text
        if kind == "int":
            return tabular.parse_int(text)
        if kind == "decimal":
            return tabular.parse_decimal(text)
        if kind == "bool":
            return tabular.parse_bool(text)
        if kind == "date":
            return tabular.parse_date(text)
        if kind == "memory":
            return tabular.parse_memory_mb(text)
        if kind == "ips":
            return tabular.parse_addresses(text)
        if kind in ("list", "tags"):
            return tabular.split_list(text)
        if kind == "endpoints":
            return _parse_endpoints(text)
        if kind == "disks":
            return _parse_disks(text)
        if kind in ("choice", "os"):
            options = self.choices.get((spec.key, column.key))
            if options is None:
                options = self.choices[(spec.key, column.key)] = choices_of(spec, column)
            if kind == "os":
                return tabular.parse_os(text, options)
            value = tabular.match_choice(text, options)
            return model_field(spec.model, column.attr).to_python(value)
        raise AssertionError(kind)

    # -- pass 2: every row
    def check(self) -> None:
        self.index()
        for key, spec_rows in self.rows.items():
            spec = SPECS[key]
            if spec.identity == "relation":
                continue
            for row in spec_rows:
                plan = self.check_row(spec, row)
                if plan is not None:
                    self.report.plans.append(plan)
        self.check_relations()
        self.report.plans.sort(key=lambda p: list(SPECS).index(p.spec.key))

    def check_row(self, spec: Spec, row: _Row) -> Plan | None:
        errors_before = len(self.report.problems)
        plan = Plan(spec, row.sheet, row.row, row.cells.get("code") or row.cells.get("name", ""))
        existing = self.existing(spec, row)
        if existing is False:
            return None
        plan.existing = existing
        fk_names: list[str] = []
        failed: set[str] = set()  # fields whose cell was reported already
        for column in spec.columns:
            if column.key not in row.cells:
                continue
            text = row.cells[column.key]
            if column.required and not text:
                self.error(row, column.key, _("This column is required."))
                failed.add(column.attr)
                continue
            if column.type in ("ref", "refs", "user"):
                fk_names.append(column.attr)
                self.check_reference(spec, column, row, text, plan)
                continue
            if not text:
                default = model_field(spec.model, column.attr)
                if column.type in ("list", "tags", "ips", "endpoints", "disks"):
                    plan.fields[column.attr] = []
                elif default.has_default() and not (default.blank and isinstance(
                        default, (models.CharField, models.TextField))):
                    plan.fields[column.attr] = default.get_default()
                else:
                    plan.fields[column.attr] = "" if isinstance(
                        default, (models.CharField, models.TextField)) else None
                continue
            try:
                value = self.convert(spec, column, text)
            except tabular.CellError as exc:
                self.error(row, column.key, cell_message(exc))
                failed.add(column.attr)
                continue
            if column.type == "os":
                family, version = value
                plan.fields["os_family"] = family
                if version and not row.cells.get("os_version"):
                    plan.fields["os_version"] = version
            else:
                plan.fields[column.attr] = value
        if spec.identity == "contact" and not (row.cells.get("vendor")
                                               or row.cells.get("department")):
            self.error(row, "vendor", _("A contact needs a vendor or a department."))
        # Run the model's own validation on an unsaved instance (references, checked
        # above in batch, are left out; so are uniqueness and constraints).
        instance = copy.copy(existing) if existing is not None else spec.model()
        for name, value in plan.fields.items():
            if name not in fk_names:
                setattr(instance, name, value)
        exclude = set(fk_names) | failed | {f.name for f in spec.model._meta.many_to_many}
        exclude |= {f.name for f in spec.model._meta.concrete_fields
                    if f.is_relation and f.name not in plan.fields}
        try:
            instance.full_clean(exclude=sorted(exclude), validate_unique=False,
                                validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                key = self.column_of(spec, name)
                for message in messages:
                    self.error(row, key, message)
        if len(self.report.problems) > errors_before:
            return None
        if existing is not None:
            plan.changed = self.changes(existing, plan)
            plan.action = "update" if plan.changed else "unchanged"
        return plan

    def column_of(self, spec: Spec, name: str) -> str:
        for column in spec.columns:
            if column.attr == name:
                return column.key
        return ""

    def existing(self, spec: Spec, row: _Row) -> Any:
        """The record this row updates, None for a new one, False when the row is bad."""
        if spec.identity == "contact":
            return self.existing_contact(row)
        code = row.cells.get("code", "")
        if not code:
            self.error(row, "code", _("This column is required."))
            return False
        if self.file_codes.get(spec.key, {}).get(code) is not row:
            return False  # a duplicate within the file, reported by index()
        if spec.is_item:
            other = self.lookups.items.get(code)
            if other is not None and other.kind != spec.model.KIND:  # type: ignore[attr-defined]
                self.error(row, "code", _("Code %(code)s is already used by %(item)s.")
                           % {"code": code, "item": other})
                return False
        found = self.lookups.db.get(spec.key, {}).get(code)
        if found is not None and not self.update:
            self.error(row, "code", _('Code %(code)s already exists; choose "update existing" '
                                      "to change it.") % {"code": code})
            return False
        return found

    def existing_contact(self, row: _Row) -> Any:
        codes = []
        for key in ("vendor", "department"):
            found = self.resolve(key, row.cells.get(key, "")) if row.cells.get(key) else None
            codes.append("" if found is None else found.code)
        identity = (codes[0], codes[1], row.cells.get("name", ""))
        first = self.contact_rows.setdefault(identity, row)
        if first is not row:
            self.error(row, "name", _("Duplicate contact: also on row %(row)s of %(sheet)s.")
                       % {"row": first.row, "sheet": first.sheet})
            return False
        found = self.lookups.contacts.get(identity)
        if found is not None and not self.update:
            self.error(row, "name", _('Contact %(name)s already exists; choose "update '
                                      'existing" to change it.') % {"name": identity[2]})
            return False
        return found

    def check_reference(self, spec: Spec, column: Column, row: _Row, text: str,
                        plan: Plan) -> None:
        if column.type == "user":
            if not text:
                plan.fields[column.attr] = None
            elif text in self.lookups.users:
                plan.fields[column.attr] = self.lookups.users[text]
            else:
                self.error(row, column.key, _("Unknown user %(name)s.") % {"name": text})
            return
        if column.type == "refs":
            refs: list[Any] = []
            for code in tabular.split_list(text):
                found = self.resolve(column.ref, code)
                if found is None:
                    self.error(row, column.key, self.unknown(column.ref, code))
                else:
                    refs.append(found)
            plan.m2m[column.attr] = refs
            return
        if not text:
            if column.required:
                self.error(row, column.key, _("This column is required."))
            plan.fields[column.attr] = None
            return
        found = self.resolve(column.ref, text)
        if found is None:
            self.error(row, column.key, self.unknown(column.ref, text))
            return
        plan.fields[column.attr] = found

    def unknown(self, cls: str, code: str) -> str:
        if cls == "item":
            return _("Unknown item %(code)s (neither in the database nor in the file).") % {
                "code": code}
        return _("Unknown %(cls)s %(code)s (neither in the database nor in the file).") % {
            "cls": SPECS[cls].model._meta.verbose_name, "code": code}

    def changes(self, existing: models.Model, plan: Plan) -> list[str]:
        changed = []
        for name, value in plan.fields.items():
            current = getattr(existing, name)
            if isinstance(value, Ref):
                changed.append(name)
            elif isinstance(value, models.Model) or isinstance(current, models.Model):
                if getattr(current, "pk", None) != getattr(value, "pk", None):
                    changed.append(name)
            elif current != value:
                changed.append(name)
        for name, refs in plan.m2m.items():
            if any(isinstance(r, Ref) for r in refs):
                changed.append(name)
            elif {r.pk for r in refs} != self.lookups.m2m.get((name, existing.pk), set()):
                changed.append(name)
        return changed

    # -- relations: pairs allowed, no cycles (the graph plus the file's items and relations)
    def check_relations(self) -> None:
        rows = self.rows.get("relation", [])
        if not rows:
            return
        base = load_graph()
        nodes = dict(base.nodes)
        ids: dict[str, int] = {n.code: n.id for n in nodes.values()}
        for number, (code, (cls, _row)) in enumerate(sorted(self.file_items.items()), start=1):
            if code not in ids:
                ids[code] = -number
                nodes[-number] = Node(id=-number, kind=SPECS[cls].model.KIND,  # type: ignore[attr-defined]
                                      code=code)
        edges = [(s, k, t) for s, out in base.requires.items() for k, t in out]
        edges += self.file_derived_edges(ids)
        g = Graph(nodes, edges)
        existing: set[tuple[str, str, str]] = set()
        for chunk in _chunks(r.cells.get("source", "") for r in rows):
            existing.update(Relation.objects.filter(source__code__in=chunk).values_list(
                "source__code", "type", "target__code"))
        seen: dict[tuple[str, str, str], _Row] = {}
        spec = SPECS["relation"]
        for row in rows:
            before = len(self.report.problems)
            plan = Plan(spec, row.sheet, row.row, "")
            values: dict[str, Any] = {}
            for key in ("source", "target"):
                text = row.cells.get(key, "")
                if not text:
                    self.error(row, key, _("This column is required."))
                elif self.resolve("item", text) is None:
                    self.error(row, key, _("Dangling relation: unknown item %(code)s (neither "
                                           "in the database nor in the file).") % {"code": text})
                else:
                    values[key] = text
            try:
                kind = self.convert(spec, spec.column("type"), row.cells.get("type", ""))
            except tabular.CellError as exc:
                self.error(row, "type", cell_message(exc))
                kind = ""
            if len(self.report.problems) > before:
                continue
            triple = (values["source"], kind, values["target"])
            plan.label = " ".join(triple)
            plan.fields = {"source": self.resolve("item", triple[0]), "type": kind,
                           "target": self.resolve("item", triple[2]),
                           "note": row.cells.get("note", "")}
            if triple in seen:
                self.error(row, "type", _("Duplicate relation: also on row %(row)s.")
                           % {"row": seen[triple].row})
                continue
            seen[triple] = row
            if triple in existing:
                if self.update:
                    plan.action = "unchanged"
                    self.report.plans.append(plan)
                else:
                    self.error(row, "type", _("This relation exists already."))
                continue
            try:
                g.check_new_relation(ids[triple[0]], kind, ids[triple[2]])
            except RelationError as exc:
                self.error(row, "type", refusal_message(exc))
                continue
            g.requires.setdefault(ids[triple[0]], []).append((kind, ids[triple[2]]))
            self.report.plans.append(plan)

    def file_derived_edges(self, ids: Mapping[str, int]) -> list[tuple[int, str, int]]:
        """The edges the file's foreign keys imply (as careops.cmdb.graph derives them)."""
        edges = []
        for key, column_key, kind in (("host", "room", "located_in"),
                                      ("network_device", "room", "located_in"),
                                      ("storage_device", "room", "located_in"),
                                      ("database", "host", "runs_on"),
                                      ("service", "host", "runs_on")):
            for row in self.rows.get(key, []):
                code, target = row.cells.get("code", ""), row.cells.get(column_key, "")
                if code in ids and target in ids:
                    edges.append((ids[code], kind, ids[target]))
        for row in self.rows.get("interface", []):
            code = row.cells.get("code", "")
            src, dst = row.cells.get("source_system", ""), row.cells.get("target_system", "")
            if code in ids and src in ids and dst in ids:
                edges += [(ids[dst], "connects_via", ids[code]),
                          (ids[code], "depends_on", ids[src])]
                if row.cells.get("direction") in (InterfaceDirection.TWO_WAY, "双向"):
                    edges += [(ids[src], "connects_via", ids[code]),
                              (ids[code], "depends_on", ids[dst])]
        return edges


def dry_run(data: bytes, filename: str, *, cls: str | None = None,
            update: bool = False) -> Report:
    """Validate every row of the file; write nothing."""
    report = Report()
    if cls is not None and cls not in SPECS:
        report.problems.append(Problem(filename, None, "", _("Unknown class %(cls)s.")
                                       % {"cls": cls}))
        return report
    rows = read_sheets(data, filename, cls, report)
    if not rows:
        if not report.problems:
            report.problems.append(Problem(filename, None, "", _("The file has no rows.")))
        return report
    _Validator(rows, update, report).check()
    report.problems.sort(key=lambda p: (p.sheet, p.row or 0))
    return report


# ---------------------------------------------------------------- applying

def apply(actor: Any, data: bytes, filename: str, *, cls: str | None = None,
          update: bool = False, request: Any = None) -> Report:
    """Validate again (the database may have changed since the dry run) and write
    everything in one transaction through the CMDB actions, or nothing: raise
    ImportFailed with the report when any row is bad."""
    if not has_cap(actor, Cap.MANAGE_ITEMS):
        raise PermissionDenied(_("Only hospital administrators and IT engineers may import."))
    with transaction.atomic():
        report = dry_run(data, filename, cls=cls, update=update)
        if not report.ok:
            raise ImportFailed(report)
        saved: dict[tuple[str, str], Any] = {}

        def real(value: Any) -> Any:
            if isinstance(value, Ref):
                return saved[(value.cls, value.code)]
            return value

        for key in SPECS:
            plans = [p for p in report.plans if p.spec.key == key]
            if key == "relation":
                for plan in plans:
                    if plan.action == "create":
                        relation_actions.add(actor, real(plan.fields["source"]),
                                             plan.fields["type"], real(plan.fields["target"]),
                                             note=plan.fields["note"], request=request)
                continue
            new = [p for p in plans if p.action == "create"]
            created = item_actions.create_many(
                actor, SPECS[key].model,
                [({n: real(v) for n, v in p.fields.items()},
                  {n: [real(v) for v in values] for n, values in p.m2m.items()}) for p in new],
                request=request)
            for plan, obj in zip(new, created, strict=True):
                saved[(key, plan.label)] = obj
            for plan in plans:
                if plan.action == "update":
                    assert plan.existing is not None
                    item_actions.update(
                        actor, plan.existing, {n: real(v) for n, v in plan.fields.items()},
                        m2m={n: [real(v) for v in values] for n, values in plan.m2m.items()},
                        request=request)
                if plan.action != "create":
                    saved[(key, plan.label)] = plan.existing
        audit.record(AuditAction.CREATE, actor=actor, request=request,
                     object_type="cmdb.import", object_repr=filename[:200],
                     detail={"file": filename, "class": cls or "workbook", "update": update,
                             **report.summary()})
    return report


# ---------------------------------------------------------------- export values

def cell_value(spec: Spec, column: Column, obj: models.Model,
               m2m: Mapping[str, Sequence[str]] | None = None) -> Any:
    """The value of one export cell; the importer reads it back to the same value."""
    if column.type == "refs":
        return ", ".join((m2m or {}).get(column.attr, ()))
    value = getattr(obj, column.attr)
    if column.type == "user":
        return value.username if value is not None else ""
    if column.type == "ref":
        return value.code if value is not None else ""
    if value is None:
        return ""
    if column.type in ("choice", "os"):
        return str(dict(model_field(spec.model, column.attr).choices or ()).get(value, value))
    if column.type == "bool":
        return _("Yes") if value else _("No")
    if column.type in ("ips", "list", "tags"):
        return ", ".join(str(v) for v in value)
    if column.type == "endpoints":
        return _format_endpoints(value)
    if column.type == "disks":
        return _format_disks(value)
    if column.type == "decimal":
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    return value
