"""Impact analysis on a generated CMDB: p50 and p95 in milliseconds.

    .venv/bin/python bench/cmdb_impact.py                      # 5,000 items, 20,000 relations
    .venv/bin/python bench/cmdb_impact.py --database-url postgres://user:pw@127.0.0.1/bench

Measures (a) ``careops.logic.impact.Graph.impact`` on the generated graph in memory,
(b) ``careops.cmdb.graph.impact_of`` end to end after loading the graph into a real
database (a fresh SQLite file in a temporary directory unless ``--database-url`` names
an empty database), the time to load the graph from that database, and, as a peer in
the same run, (c) a naive recursive SQL query (``WITH RECURSIVE`` over the relation
table and the foreign keys that are relations) computing the same affected set. Every
sampled item's affected set is compared between (a), (b) and (c).

See bench/README.md for how the graph is generated.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from careops.logic.impact import (  # noqa: E402 (after the sys.path line above)
    ALLOWED,
    CYCLE_TYPES,
    DEPENDENCY_TYPES,
    Edge,
    Graph,
    Node,
)

# Share of each class among the items (5,000 items: 300 systems, 1,500 hosts …).
MIX: dict[str, float] = {
    "system": 0.06, "host": 0.30, "database": 0.14, "service": 0.20, "interface": 0.18,
    "room": 0.02, "network_device": 0.04, "storage_device": 0.02, "backup_job": 0.04,
}
# Edges of the cycle-checked types only go from a higher rank to a lower one (or, within a
# class, from a higher index to a lower one), so the generated graph has no cycle.
RANK: dict[str, int] = {
    "interface": 6, "system": 5, "service": 4, "database": 3, "host": 2,
    "network_device": 1, "storage_device": 1, "room": 0, "backup_job": -1,
}
# Extra relations drawn at random once the structure is in place: (weight, type, from, to).
FILL: list[tuple[int, str, str, str]] = [
    (6, "depends_on", "system", "service"), (3, "depends_on", "service", "service"),
    (3, "runs_on", "system", "host"), (3, "uses_database", "service", "database"),
    (2, "depends_on", "service", "host"), (2, "depends_on", "host", "network_device"),
    (2, "depends_on", "database", "storage_device"), (1, "depends_on", "system", "system"),
    (1, "depends_on", "interface", "service"), (1, "uses_database", "system", "database"),
    (1, "depends_on", "host", "storage_device"), (1, "backed_up_by", "host", "backup_job"),
]
PHYSICAL_SHARE = 0.15  # of hosts; the others are virtual machines on them
SERVER_ROOMS = 0.25  # of rooms; the others are department rooms


@dataclass
class Item:
    id: int
    kind: str
    code: str
    index: int  # position among the items of its class
    criticality: int | None = None
    patient_safety: bool = False
    departments: tuple[int, ...] = ()
    host: int | None = None  # databases and services: the host field
    room: int | None = None  # hosts and devices: the room field
    source: int | None = None  # interfaces: source and target systems
    target: int | None = None
    two_way: bool = False
    server_room: bool = False  # rooms: a server room, or a department's room


@dataclass
class GeneratedCmdb:
    items: list[Item]
    relations: list[Edge]  # stored as Relation rows
    departments: int
    by_kind: dict[str, list[int]] = field(default_factory=dict)

    def derived_edges(self) -> list[Edge]:
        """The edges the foreign keys imply, as careops.cmdb.graph.derived_edges does."""
        edges: list[Edge] = []
        for item in self.items:
            if item.host is not None:
                edges.append((item.id, "runs_on", item.host))
            if item.room is not None:
                edges.append((item.id, "located_in", item.room))
            if item.kind == "interface":
                assert item.source is not None and item.target is not None
                edges += [(item.target, "connects_via", item.id),
                          (item.id, "depends_on", item.source)]
                if item.two_way:
                    edges += [(item.source, "connects_via", item.id),
                              (item.id, "depends_on", item.target)]
        return edges

    def edges(self) -> list[Edge]:
        return self.relations + self.derived_edges()

    def graph(self) -> Graph:
        nodes = {i.id: Node(id=i.id, kind=i.kind, code=i.code, criticality=i.criticality,
                            patient_safety=i.patient_safety,
                            departments=frozenset(i.departments)) for i in self.items}
        return Graph(nodes, self.edges())


def _counts(total: int) -> dict[str, int]:
    counts = {kind: max(2, round(total * share)) for kind, share in MIX.items()}
    counts["host"] += total - sum(counts.values())  # rounding goes to the hosts
    return counts


def generate(items: int = 5000, relations: int = 20000, seed: int = 1) -> GeneratedCmdb:
    """A hospital-shaped CMDB of ``items`` items and about ``relations`` graph edges
    (relations plus foreign-key edges): never fewer than the structure needs."""
    rng = random.Random(seed)
    counts = _counts(items)
    all_items: list[Item] = []
    by_kind: dict[str, list[int]] = {}
    for kind in RANK:
        for index in range(counts[kind]):
            item = Item(id=len(all_items) + 1, kind=kind, code=f"{kind[:3].upper()}-{index:05d}",
                        index=index)
            all_items.append(item)
            by_kind.setdefault(kind, []).append(item.id)
    item_of = {item.id: item for item in all_items}
    departments = max(2, counts["system"] // 8)
    ids = by_kind
    rooms = ids["room"]
    server_rooms = rooms[: max(1, int(len(rooms) * SERVER_ROOMS))]
    for room in server_rooms:
        item_of[room].server_room = True
    physical = ids["host"][: max(1, int(len(ids["host"]) * PHYSICAL_SHARE))]

    seen: set[tuple[int, str, int]] = set()
    stored: list[Edge] = []

    def add(source: int, kind: str, target: int) -> bool:
        key = (source, kind, target)
        if source == target or key in seen or not _ordered(item_of, source, kind, target):
            return False
        seen.add(key)
        stored.append(key)
        return True

    for system in ids["system"]:
        item = item_of[system]
        item.criticality = rng.choices([1, 2, 3, 4], weights=[1, 3, 4, 2])[0]
        item.patient_safety = item.criticality == 1 or rng.random() < 0.1
        served = rng.randint(1, min(3, departments))
        item.departments = tuple(sorted(rng.sample(range(departments), served)))
        for host in rng.sample(ids["host"], rng.randint(1, 4)):
            add(system, "runs_on", host)
        for database in rng.sample(ids["database"], rng.randint(1, 2)):
            add(system, "uses_database", database)
        for service in rng.sample(ids["service"], rng.randint(1, 3)):
            add(system, "depends_on", service)
        if rng.random() < 0.5:
            add(system, "backed_up_by", rng.choice(ids["backup_job"]))
    for host in ids["host"]:
        if host in physical:
            item_of[host].room = rng.choice(server_rooms)
            add(host, "depends_on", rng.choice(ids["network_device"]))
        else:
            add(host, "runs_on", rng.choice(physical))  # a virtual machine on a hypervisor
    for device in ids["network_device"] + ids["storage_device"]:
        item_of[device].room = rng.choice(server_rooms)
    for database in ids["database"]:
        item_of[database].host = rng.choice(ids["host"])
        if rng.random() < 0.6:
            add(database, "backed_up_by", rng.choice(ids["backup_job"]))
    for service in ids["service"]:
        item_of[service].host = rng.choice(ids["host"])
    systems = ids["system"]
    for interface in ids["interface"]:
        source, target = rng.sample(systems, 2)
        item = item_of[interface]
        item.source, item.target, item.two_way = source, target, rng.random() < 0.15

    generated = GeneratedCmdb(items=all_items, relations=stored, departments=departments,
                              by_kind=by_kind)
    missing = relations - len(generated.edges())
    weights = [w for w, *_ in FILL]
    attempts = 0
    while missing > 0 and attempts < relations * 20:
        attempts += 1
        _, kind, source_kind, target_kind = rng.choices(FILL, weights=weights)[0]
        if add(rng.choice(ids[source_kind]), kind, rng.choice(ids[target_kind])):
            missing -= 1
    return generated


def _ordered(item_of: dict[int, Item], source: int, kind: str, target: int) -> bool:
    """Allowed by ALLOWED, and downhill in (rank, index) when the type is cycle-checked."""
    a, b = item_of[source], item_of[target]
    sources, targets = ALLOWED[kind]
    if a.kind not in sources or b.kind not in targets:
        return False
    return kind not in CYCLE_TYPES or (RANK[a.kind], a.index) > (RANK[b.kind], b.index)


# --- the database side ----------------------------------------------------------------

def setup_django(database_url: str | None) -> None:
    """Point Django at a throw-away var directory and the chosen database, migrate."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careops.settings")
    os.environ["CAREOPS_VAR_DIR"] = tempfile.mkdtemp(prefix="careops-bench-")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)  # a fresh SQLite file in the var directory
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def load_into_database(cmdb: GeneratedCmdb) -> None:
    """Insert the generated items and relations (bulk; no audit: a throw-away database)."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from careops.cmdb import graph as cmdb_graph
    from careops.cmdb.models import (
        MODEL_BY_KIND,
        Building,
        BusinessSystem,
        ConfigItem,
        Department,
        Floor,
        Relation,
        Site,
    )

    if ConfigItem.objects.exists():
        raise SystemExit("the database already holds configuration items: give an empty one")
    with transaction.atomic():
        site = Site.objects.create(code="BENCH", name="Bench hospital")
        building = Building.objects.create(code="BENCH-B1", name="Building 1", site=site)
        floor = Floor.objects.create(code="BENCH-B1-1", name="Floor 1", building=building,
                                     level=1)
        departments = Department.objects.bulk_create(
            [Department(code=f"DEP-{n:03d}", name=f"Department {n}")
             for n in range(cmdb.departments)])
        ConfigItem.objects.bulk_create(
            [ConfigItem(id=i.id, kind=i.kind, code=i.code, name=i.code) for i in cmdb.items],
            batch_size=500)
        # Referenced classes first: MariaDB checks foreign keys at once, not at commit.
        order = ["room", "system", "host", "database", "service", "interface",
                 "network_device", "storage_device", "backup_job"]
        for item in sorted(cmdb.items, key=lambda i: order.index(i.kind)):
            model = MODEL_BY_KIND[item.kind]
            child = model(**{"configitem_ptr_id": item.id, **_child_fields(item, floor)})
            child.save_base(raw=True, force_insert=True)
        through = BusinessSystem.departments.through
        through.objects.bulk_create(
            [through(businesssystem_id=i.id, department_id=departments[d].pk)
             for i in cmdb.items for d in i.departments], batch_size=1000)
        Relation.objects.bulk_create(
            [Relation(source_id=s, type=t, target_id=d) for s, t, d in cmdb.relations],
            batch_size=1000)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [ConfigItem]):
                cursor.execute(statement)
    cmdb_graph.invalidate()


def _child_fields(item: Item, floor: Any) -> dict[str, Any]:
    fields: dict[str, dict[str, Any]] = {
        "room": {"floor": floor, "is_server_room": item.server_room},
        "system": {"category": "clinical", "criticality": item.criticality,
                   "patient_safety": item.patient_safety},
        "host": {"hostname": item.code.lower(), "os_family": "kylin", "room_id": item.room},
        "database": {"engine": "postgresql", "host_id": item.host},
        "service": {"service_kind": "application", "host_id": item.host},
        "interface": {"protocol": "hl7v2_mllp", "source_system_id": item.source,
                      "target_system_id": item.target,
                      "direction": "two_way" if item.two_way else "one_way"},
        "network_device": {"device_kind": "switch", "room_id": item.room},
        "storage_device": {"storage_kind": "san", "room_id": item.room},
        "backup_job": {"method": "full", "schedule": "daily 01:00", "retention_days": 30},
    }
    return fields[item.kind]


def recursive_sql() -> str:
    """The peer: a recursive CTE over the relation table plus the foreign keys that are
    relations (the same edges careops.cmdb.graph reads), one parameter: the failed item."""
    from careops.cmdb.models import (
        DatabaseInstance,
        Host,
        Interface,
        NetworkDevice,
        Relation,
        Service,
        StorageDevice,
    )

    # Identifiers come from the models' metadata and the type names are constants: the
    # failed item is the only value, and it is passed as a query parameter.
    def select(source: str, target: str, model: Any, where: str = "") -> str:
        sql = f"SELECT {source}, {target} FROM {model._meta.db_table}"  # noqa: S608
        return f"{sql} WHERE {where}" if where else sql

    types = ", ".join(f"'{t}'" for t in sorted(DEPENDENCY_TYPES))
    parts = [select("source_id", "target_id", Relation, f"type IN ({types})")]
    parts += [select("configitem_ptr_id", "host_id", m, "host_id IS NOT NULL")
              for m in (DatabaseInstance, Service)]
    parts += [select("configitem_ptr_id", "room_id", m, "room_id IS NOT NULL")
              for m in (Host, NetworkDevice, StorageDevice)]
    two_way = "direction = 'two_way'"
    parts += [
        select("target_system_id", "configitem_ptr_id", Interface),
        select("configitem_ptr_id", "source_system_id", Interface),
        select("source_system_id", "configitem_ptr_id", Interface, two_way),
        select("configitem_ptr_id", "target_system_id", Interface, two_way),
    ]
    edges = " UNION ALL ".join(parts)
    return ("WITH RECURSIVE edges (source, target) AS (" + edges + "), "  # noqa: S608
            f"affected (id) AS (SELECT CAST(%s AS {_integer_type()}) UNION "
            "SELECT e.source FROM edges e JOIN affected a ON e.target = a.id) "
            "SELECT id FROM affected")


def _integer_type() -> str:
    """The cast that makes the seed row as wide as the ids (PostgreSQL insists)."""
    from django.db import connection

    return "SIGNED" if connection.vendor == "mysql" else "BIGINT"


def sql_impact(sql: str, item: int) -> frozenset[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, [item])
        return frozenset(row[0] for row in cursor.fetchall()) - {item}


# --- measuring ------------------------------------------------------------------------

def timed(function: Callable[[int], Any],
          items: Iterable[int]) -> tuple[list[float], dict[int, Any]]:
    """Milliseconds per call, and each call's result."""
    times: list[float] = []
    results: dict[int, Any] = {}
    for item in items:
        start = time.perf_counter()
        results[item] = function(item)
        times.append((time.perf_counter() - start) * 1000)
    return times, results


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary(times: Sequence[float]) -> str:
    return (f"p50 {percentile(times, 50):8.3f} ms   p95 {percentile(times, 95):8.3f} ms   "
            f"max {max(times):8.3f} ms")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--relations", type=int, default=20000)
    parser.add_argument("--samples", type=int, default=500,
                        help="how many items to analyse (a random sample of all items)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None,
                        help="an EMPTY database to load into (default: a temporary SQLite file)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    cmdb = generate(args.items, args.relations, args.seed)
    edges = cmdb.edges()
    print(f"generated {len(cmdb.items)} items, {len(edges)} relations "
          f"({len(cmdb.relations)} stored, {len(edges) - len(cmdb.relations)} from fields) "
          f"in {time.perf_counter() - start:.2f} s")
    print("  " + ", ".join(f"{kind} {len(ids)}" for kind, ids in cmdb.by_kind.items()))
    rng = random.Random(args.seed)
    sample = rng.sample([i.id for i in cmdb.items], min(args.samples, len(cmdb.items)))

    pure = cmdb.graph()
    pure_times, pure_results = timed(pure.impact, sample)
    sizes = [len(r.items) for r in pure_results.values()]
    print(f"\nsample: {len(sample)} items; affected items per failure: "
          f"median {statistics.median(sizes):.0f}, max {max(sizes)}")
    print(f"(a) pure Graph.impact            {summary(pure_times)}")

    setup_django(args.database_url)
    from django.db import connection

    from careops.cmdb import graph as cmdb_graph

    start = time.perf_counter()
    load_into_database(cmdb)
    print(f"\ndatabase: {connection.vendor} ({connection.settings_dict['NAME']}); "
          f"inserted in {time.perf_counter() - start:.2f} s")
    load_times = []
    for _ in range(5):
        start = time.perf_counter()
        cmdb_graph.load_graph()
        load_times.append((time.perf_counter() - start) * 1000)
    print(f"graph load from the database     median {statistics.median(load_times):8.1f} ms "
          f"(of 5)")
    cmdb_graph.invalidate()
    cmdb_graph.graph()  # the first call loads; impact_of then checks the version and reuses it
    e2e_times, e2e_results = timed(cmdb_graph.impact_of, sample)
    print(f"(b) cmdb.graph.impact_of         {summary(e2e_times)}")
    sql = recursive_sql()
    sql_times, sql_results = timed(lambda item: sql_impact(sql, item), sample)
    print(f"(c) recursive SQL (WITH RECURSIVE) {summary(sql_times)}")

    mismatches = [i for i in sample
                  if not (pure_results[i].items == e2e_results[i].items == sql_results[i])]
    ratio = percentile(sql_times, 50) / max(percentile(e2e_times, 50), 1e-9)
    ratio95 = percentile(sql_times, 95) / max(percentile(e2e_times, 95), 1e-9)
    print(f"\nrecursive SQL / impact_of: {ratio:.1f}x at p50, {ratio95:.1f}x at p95")
    print(f"affected sets agree for {len(sample) - len(mismatches)} of {len(sample)} items")
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
