"""Load and remove the demo hospital (``careops demo``, ``careops up --demo``).

The data is in ``careops.cmdb.demo_data``; this module turns its rows into records
through the CMDB actions (``items.create``, ``relations.add``), so every demo record
is validated, refused when it would break a graph rule, marked ``is_demo`` and
written to the audit trail like any other change.

The actor is :data:`DEMO_ACTOR`, a system actor named "demo" with the hospital
administrator's rights. It is not an account: nobody can log in as it, and the audit
trail shows "demo" as the author of every demo record (like "system" for the first
accounts).

Loading is idempotent: records whose code (contacts: vendor and name; relations:
both ends and type) already exist are left alone, so a second run changes nothing.
Removing deletes exactly the records marked ``is_demo``, in dependency order; records
that users added keep existing (a reference from them to a demo record is cleared)
unless they cannot exist without a demo record — then nothing is removed and the
error lists them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from careops.cmdb import demo_data as data
from careops.cmdb.actions import items, relations
from careops.cmdb.choices import DatabaseEngine, OsFamily
from careops.cmdb.models import (
    BackupJob,
    Building,
    BusinessSystem,
    Coded,
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
from careops.core.choices import Role


@dataclass(frozen=True)
class SystemActor:
    """An actor that is not a user account: the loader of the demo hospital."""

    username: str = "demo"
    role: str = Role.HOSPITAL_ADMIN
    pk: None = None
    is_authenticated: bool = True
    is_active: bool = True

    def __str__(self) -> str:
        return self.username


DEMO_ACTOR = SystemActor()

# Tables in load order; deletion runs the other way round (relations first).
LOAD_ORDER: list[type[models.Model]] = [
    Site, Building, Floor, Department, Room, Vendor, Contact, NetworkDevice, StorageDevice,
    BusinessSystem, Host, DatabaseInstance, Service, Interface, BackupJob,
]
DELETE_ORDER: list[type[models.Model]] = [
    BackupJob, Interface, Service, DatabaseInstance, BusinessSystem, Host, NetworkDevice,
    StorageDevice, Room, Contact, Vendor, Department, Floor, Building, Site,
]

WINDOWS = frozenset({OsFamily.WINDOWS_SERVER, OsFamily.WINDOWS})
# Exporters scraped for demo hosts and databases, by OS family / engine.
DATABASE_EXPORTERS = {DatabaseEngine.POSTGRESQL: ("postgres", 9187),
                      DatabaseEngine.MYSQL: ("mysqld", 9104),
                      DatabaseEngine.MARIADB: ("mysqld", 9104)}


class DemoConflict(Exception):
    """Codes of the demo hospital are taken by records that are not demo data."""

    def __init__(self, taken: list[str]) -> None:
        self.taken = taken
        super().__init__(_("The demo hospital cannot be loaded: these codes are already used "
                           "by records that are not demo data: %(codes)s")
                         % {"codes": ", ".join(taken)})


class DemoInUse(Exception):
    """Records that users added cannot exist without demo records."""

    def __init__(self, blockers: list[str]) -> None:
        self.blockers = blockers
        super().__init__(_("The demo data cannot be removed: these records that are not demo "
                           "data need it: %(records)s") % {"records": "; ".join(blockers)})


@dataclass
class Outcome:
    counts: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        return ", ".join(f"{n} {label}" for label, n in sorted(self.counts.items()))


def _label(model: type[models.Model]) -> str:
    # Console output of careops commands is English, like the rest of the CLI.
    from django.utils import translation

    with translation.override("en"):
        return str(model._meta.verbose_name_plural)


# --------------------------------------------------------------------------------------
# The rows of each table, completed from the data module
# --------------------------------------------------------------------------------------

def _systems() -> Iterator[dict[str, Any]]:
    annex = {row["code"]: (number, row) for number, row in enumerate(data.ANNEX_001, start=1)}
    for row in data.SYSTEMS:
        fields = dict(row)
        code = fields["code"]
        if code in annex:
            number, line = annex[code]
            fields["name"] = line["name"]
            fields["notes"] = (f"招标文本 001《第三方业务系统统一服务体系建设项目》附件第 "
                               f"{number} 项：{line['annex']}")
        else:
            fields["name"] = data.SYSTEM_NAMES[code]
            fields["notes"] = data.SYSTEM_NOTES.get(code, "")
        yield fields


def _hosts() -> Iterator[dict[str, Any]]:
    for row in data.HOSTS:
        fields = dict(row)
        size = fields.pop("disk_gb")
        windows = fields["os_family"] in WINDOWS
        fields["disks"] = [{"mount": "C:" if windows else "/", "size_gb": size}]
        address = fields["addresses"][0]
        if windows:
            fields["monitoring_endpoints"] = [{"job": "windows", "target": f"{address}:9182"}]
        elif fields["os_family"] != OsFamily.OTHER:
            fields["monitoring_endpoints"] = [{"job": "node", "target": f"{address}:9100"}]
        yield fields


def _databases() -> Iterator[dict[str, Any]]:
    addresses = {row["code"]: row["addresses"][0] for row in data.HOSTS}
    for row in data.DATABASES:
        fields = dict(row)
        exporter = DATABASE_EXPORTERS.get(fields["engine"])
        if exporter:
            job, port = exporter
            fields["monitoring_endpoints"] = [
                {"job": job, "target": f"{addresses[fields['host']]}:{port}"}]
        yield fields


_PLAIN_TABLES: dict[type[models.Model], list[dict[str, Any]]] = {
    Site: data.SITES, Building: data.BUILDINGS, Floor: data.FLOORS,
    Department: data.DEPARTMENTS, Room: data.ROOMS, Vendor: data.VENDORS,
    Contact: data.CONTACTS, NetworkDevice: data.NETWORK_DEVICES,
    StorageDevice: data.STORAGE_DEVICES, Interface: data.INTERFACES,
    BackupJob: data.BACKUP_JOBS, Service: data.SERVICES,
}
_COMPLETED_TABLES: dict[type[models.Model], Callable[[], Iterator[dict[str, Any]]]] = {
    BusinessSystem: _systems, Host: _hosts, DatabaseInstance: _databases,
}


def table(model: type[models.Model]) -> list[dict[str, Any]]:
    """The rows of ``model`` as field values; references are still codes."""
    rows: Iterable[dict[str, Any]] = (
        _PLAIN_TABLES[model] if model in _PLAIN_TABLES else _COMPLETED_TABLES[model]())
    result = []
    for row in rows:
        fields = dict(row)
        tags = data.TAGS.get(fields.get("code", ""))
        if tags:
            fields["tags"] = tags
        result.append(fields)
    return result


def demo_codes() -> dict[type[models.Model], list[str]]:
    """The codes of the demo records, per model (contacts have none)."""
    return {model: [row["code"] for row in table(model)]
            for model in LOAD_ORDER if issubclass(model, Coded)}


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------

class _Loader:
    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.outcome = Outcome()
        self.by_code: dict[str, models.Model] = {}

    def ref(self, model: type[models.Model], code: str) -> models.Model | None:
        if not code:
            return None
        found = self.by_code.get(code)
        if found is None:
            found = model._default_manager.get(code=code)
            self.by_code[code] = found
        return found

    def resolve(self, model: type[models.Model],
                row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        fields: dict[str, Any] = {}
        m2m: dict[str, Any] = {}
        for name, value in row.items():
            field_ = model._meta.get_field(name)
            target = field_.related_model
            if field_.many_to_many:
                assert isinstance(target, type)
                m2m[name] = [self.ref(target, code) for code in value]
            elif field_.is_relation:
                assert isinstance(target, type)
                fields[name] = self.ref(target, value)
            else:
                fields[name] = value
        return fields, m2m

    def load_table(self, model: type[models.Model]) -> None:
        if model is Contact:
            existing = {(vendor, name) for vendor, name in
                        Contact.objects.values_list("vendor__code", "name")}
        else:
            existing = set(model._default_manager.values_list("code", flat=True))
        for row in table(model):
            key = (row["vendor"], row["name"]) if model is Contact else row["code"]
            if key in existing:
                continue
            fields, m2m = self.resolve(model, row)
            obj = items.create(self.actor, model, fields, m2m=m2m, is_demo=True)
            if isinstance(obj, Coded):
                self.by_code[obj.code] = obj
            self.outcome.counts[_label(model)] += 1

    def load_relations(self) -> None:
        existing = set(Relation.objects.values_list("source__code", "type", "target__code"))
        for source, kind, target, note in data.RELATIONS:
            if (source, kind, target) in existing:
                continue
            a = self.ref(ConfigItem, source)
            b = self.ref(ConfigItem, target)
            assert isinstance(a, ConfigItem) and isinstance(b, ConfigItem)
            relations.add(self.actor, a, kind, b, note=note, is_demo=True)
            existing.add((source, kind, target))
            self.outcome.counts[_label(Relation)] += 1


def conflicts() -> list[str]:
    """Demo codes already used by records that are not demo data."""
    taken: list[str] = []
    seen: set[str] = set()
    for model, codes in demo_codes().items():
        # Codes of configuration items are unique across every class.
        base: type[models.Model] = ConfigItem if issubclass(model, ConfigItem) else model
        for code in base._default_manager.filter(code__in=codes, is_demo=False).values_list(
                "code", flat=True):
            if code not in seen:
                seen.add(code)
                taken.append(code)
    return sorted(taken)


def load(actor: Any = DEMO_ACTOR) -> Outcome:
    """Load the demo hospital (what is missing of it); all or nothing."""
    started = time.monotonic()
    taken = conflicts()
    if taken:
        raise DemoConflict(taken)
    loader = _Loader(actor)
    with transaction.atomic():
        for model in LOAD_ORDER:
            loader.load_table(model)
        loader.load_relations()
    loader.outcome.seconds = time.monotonic() - started
    return loader.outcome


# --------------------------------------------------------------------------------------
# Removing
# --------------------------------------------------------------------------------------

def _demo_rows(model: type[models.Model]) -> models.QuerySet[Any]:
    return model._default_manager.filter(is_demo=True)


def blockers() -> list[str]:
    """Records that are not demo data and cannot exist without a demo record: they
    point at one through a required reference, or would be deleted with it."""
    found: list[str] = []
    for model in LOAD_ORDER:
        for field_ in model._meta.get_fields():
            if not (field_.many_to_one and field_.concrete):
                continue
            target = field_.related_model
            if target not in LOAD_ORDER and target is not ConfigItem:
                continue
            assert isinstance(field_, models.ForeignKey)
            # Nullable references are cleared; required or cascading ones block.
            if field_.null and field_.remote_field.on_delete is not models.CASCADE:
                continue
            rows = model._default_manager.filter(
                is_demo=False, **{f"{field_.name}__is_demo": True}).select_related(field_.name)
            for row in rows:
                found.append(f"{row} → {field_.verbose_name}: {getattr(row, field_.name)}")
    return found


def reset(actor: Any = DEMO_ACTOR) -> Outcome:
    """Delete every record marked as demo data (relations first, then dependents before
    what they depend on); all or nothing."""
    started = time.monotonic()
    outcome = Outcome()
    with transaction.atomic():
        found = blockers()
        if found:
            raise DemoInUse(found)
        demo_items = ConfigItem.objects.filter(is_demo=True)
        # Demo relations, and relations users drew to or from demo items.
        touching = (Relation.objects.filter(is_demo=True)
                    | Relation.objects.filter(source__in=demo_items)
                    | Relation.objects.filter(target__in=demo_items))
        for relation in touching.select_related("source").distinct():
            relations.remove(actor, relation)
            if relation.is_demo:
                outcome.counts[_label(Relation)] += 1
        for model in DELETE_ORDER:
            for obj in _demo_rows(model):
                items.delete(actor, obj, cascade=True)
                outcome.counts[_label(model)] += 1
    outcome.seconds = time.monotonic() - started
    return outcome


def is_loaded() -> bool:
    return ConfigItem.objects.filter(is_demo=True).exists()
