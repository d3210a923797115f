"""The PostgreSQL part of the SLA benchmark (issue 4): clocks of 100,000 open tickets
and the filtered ticket list at 1,000,000 tickets.

    .venv/bin/python bench/sla_recompute.py --db                  # the whole issue figure
    .venv/bin/python bench/sla_recompute_db.py --open 5000 --total 50000 --requests 50

The database (``--database-url``, default postgres://postgres@127.0.0.1:5432/careops_bench)
is DROPPED, created again and migrated: point it at a throw-away database only.

1. **load** — the five seed contracts (contracts/examples) through
   careops.contracts.actions.profiles, plus a second version of seeds 001, 003 and 004
   with pause states; their vendors, systems and engineers; then ``--open`` open tickets
   with realistic timelines (opened in the 30 days before NOW, acknowledged, on site,
   waits for the hospital or a third party, back to work, priority changes, restored;
   assignment and comment events) written with COPY. Load time reported separately.
2. **recompute** — every clock of the open tickets with ``clocks_for_many`` (chunks of
   2,000 tickets) vs the peer, per-ticket ``clocks_for`` (as the ticket page computes
   them) on a sample, extrapolated. The sample's clocks must be equal (exit 1 if not).
3. **grow** to ``--total`` tickets: the extra ones are older and mostly closed, with
   two events each (opened, last status): the list does not read events.
4. **list** — ``--requests`` requests per user through the real API view
   (``GET /api/v1/tickets/?…`` with the Django test client and a token): a hospital
   admin (sees everything) and a vendor engineer (scoped to his contract's systems),
   varied filters, newest first, a page of 50; p50/p95/max in ms. Peer: the same
   requests with the ticket table's secondary filter indexes dropped (inside a
   transaction that is rolled back), the foreign-key indexes Django always creates kept.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/careops_bench"
SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=SH)
EXAMPLES = ROOT / "contracts" / "examples"
# Second versions: the same contract with the waits that stop the repair clocks.
PAUSES = ("\npauses:\n  waiting_hospital: [restore, resolve, report]\n"
          "  waiting_third_party: [restore, resolve]\n")
SECOND_VERSIONS = ("seed-001", "seed-003", "seed-004")
WAITS = ("waiting_hospital", "waiting_third_party")
TERMINAL = ("closed", "confirmed", "rejected", "verified", "rolled_back")
TITLES = ("无法登录", "打印失败", "页面卡顿", "数据不同步", "接口超时", "视频无画面",
          "报表错误", "账号锁定", "服务器告警", "升级后异常")
CHUNK = 2000
NULL = "\\N"


# --- setup ------------------------------------------------------------------------

def fresh_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "careops.settings"
    os.environ["CAREOPS_VAR_DIR"] = tempfile.mkdtemp(prefix="careops-bench-")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("CAREOPS_ALLOWED_HOSTS", "testserver,127.0.0.1")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool,
                 context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def counting() -> Iterator[QueryCounter]:
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


# --- the world: contracts, systems, people --------------------------------------------

class World:
    def __init__(self) -> None:
        self.versions: list[Any] = []          # ContractVersion
        self.contracts: dict[int, Any] = {}    # version id -> parsed Contract
        self.systems: dict[str, list[int]] = {}  # profile code -> system ids
        self.engineers: dict[str, list[Any]] = {}  # profile code -> users
        self.teams: dict[str, int] = {}        # profile code -> team id
        self.admin: Any = None
        self.reporters: list[int] = []


def build_world(rng: random.Random) -> World:
    from careops.cmdb.models import BusinessSystem, Vendor
    from careops.contracts.actions import profiles
    from careops.core.choices import Role
    from careops.core.models import User
    from careops.logic.contract import parse_contract
    from careops.servicedesk.actions import contract_of
    from careops.servicedesk.models import Team

    world = World()
    world.admin = User.objects.create(username="bench-admin", role=Role.HOSPITAL_ADMIN,
                                      name="院方管理员")
    world.reporters = [User.objects.create(username=f"dept-{n}", role=Role.DEPARTMENT_USER).pk
                       for n in range(20)]
    for path in sorted(EXAMPLES.glob("seed-*.yaml")):
        text = path.read_text(encoding="utf-8")
        contract = parse_contract(text)
        vendor, _ = Vendor.objects.get_or_create(code=contract.parties.vendor,
                                                 defaults={"name": contract.parties.vendor})
        ids = []
        for code in contract.systems:
            system, _ = BusinessSystem.objects.get_or_create(
                code=code, defaults={"name": code, "category": "clinical"})
            system.maintainers.add(vendor)
            ids.append(system.pk)
        engineers = []
        for n in range(4):
            user = User.objects.create(username=f"eng-{contract.code}-{n}",
                                       role=Role.VENDOR_ENGINEER)
            vendor.engineers.add(user)
            engineers.append(user)
        team = Team.objects.create(name=f"team-{contract.code}", lead=engineers[0],
                                   vendor=vendor)
        team.members.add(*engineers)
        world.systems[contract.code] = ids
        world.engineers[contract.code] = engineers
        world.teams[contract.code] = team.pk
        # obligations synced at the benchmark's NOW, not at the real current time
        world.versions.append(profiles.load_profile(world.admin, text, now=NOW).version)
        if path.name.startswith(SECOND_VERSIONS):
            world.versions.append(profiles.load_profile(world.admin, text + PAUSES,
                                                        now=NOW).version)
    for version in world.versions:
        world.contracts[version.pk] = contract_of(version)
    return world


def existing_world() -> World:
    """The world of a database this benchmark loaded before (for ``--list-only``)."""
    from careops.contracts.models import ContractVersion
    from careops.core.models import User
    from careops.servicedesk.actions import contract_of
    from careops.servicedesk.models import Team

    world = World()
    world.admin = User.objects.get(username="bench-admin")
    world.versions = list(ContractVersion.objects.select_related("profile").order_by("pk"))
    for version in world.versions:
        world.contracts[version.pk] = contract_of(version)
        code = version.profile.code
        world.systems[code] = list(version.profile.systems.values_list("pk", flat=True))
        world.engineers[code] = list(User.objects.filter(username__startswith=f"eng-{code}-")
                                     .order_by("username"))
        world.teams[code] = Team.objects.get(name=f"team-{code}").pk
    return world


# --- generated tickets ----------------------------------------------------------------

class Tables:
    """Rows for COPY, as tab-separated text."""

    def __init__(self) -> None:
        self.tickets = io.StringIO()
        self.events = io.StringIO()
        self.systems = io.StringIO()
        self.items = io.StringIO()
        self.counts = {"tickets": 0, "events": 0}


def iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat()


def levels(contract: Any) -> tuple[str, ...]:
    return contract.priorities.levels if contract.priorities else ("P1",)


def flow_walk(rng: random.Random, kind: str, opened: dt.datetime, levels: Sequence[str],
              until: dt.datetime) -> tuple[str, str, list[tuple[dt.datetime, str, str, str]]]:
    """(priority now, status now, events) of an open ticket's life so far: each event is
    (at, kind, from, to). Moves follow careops.logic.ticket_flow."""
    from careops.logic import ticket_flow

    priority = rng.choice(levels)
    events = [(opened, "opened", "", priority)]
    status = ticket_flow.INITIAL[kind]
    met: set[str] = set()
    before_wait = ""
    cur = opened + dt.timedelta(minutes=rng.randint(1, 90))
    for _ in range(rng.randint(1, 4)):
        if cur >= until:
            break
        roll = rng.random()
        if before_wait:
            nxt = before_wait
            before_wait = ""
        elif roll < 0.25 and status in ticket_flow.PAUSABLE.get(kind, ()):
            nxt = rng.choice(WAITS)
            before_wait = status
        elif roll < 0.35 and len(levels) > 1:
            new = rng.choice([p for p in levels if p != priority])
            events.append((cur, "priority", priority, new))
            priority = new
            cur += dt.timedelta(minutes=rng.randint(5, 60 * 24))
            continue
        else:
            options = [s for s in ticket_flow.FLOWS[kind].get(status, ())
                       if s not in TERMINAL and s != "waiting_approval"]
            if not options:
                break
            nxt = rng.choice(options)
        events.append((cur, "status", status, nxt))
        for target in ticket_flow.meets(kind, nxt):
            if target not in met:
                met.add(target)
                events.append((cur, "target_met", "", target))
        status = nxt
        cur += dt.timedelta(minutes=rng.randint(5, 60 * 24 * 2))
    return priority, status, events


def generate(world: World, tables: Tables, rng: random.Random, first_id: int, count: int,
             open_tickets: bool) -> None:
    """``count`` tickets from id ``first_id``: open ones with full timelines, or older,
    mostly closed ones with two events."""
    from careops.servicedesk.models.tickets import PREFIXES

    kinds = ("incident",) * 7 + ("request",) * 2 + ("bug",)
    weights = [3 if v.profile.code.startswith("seed-004") else 1 for v in world.versions]
    tw, ew, sw, iw = (tables.tickets.write, tables.events.write, tables.systems.write,
                      tables.items.write)
    for pk in range(first_id, first_id + count):
        version = rng.choices(world.versions, weights)[0]
        code = version.profile.code
        contract = world.contracts[version.pk]
        kind = rng.choice(kinds)
        system = rng.choice(world.systems[code])
        reporter = rng.choice(world.reporters)
        engineer = rng.choice(world.engineers[code]) if rng.random() < 0.8 else None
        team = world.teams[code] if rng.random() < 0.7 else None
        if open_tickets:
            opened = NOW - dt.timedelta(minutes=rng.randint(10, 60 * 24 * 30))
            priority, status, events = flow_walk(rng, kind, opened, levels(contract),
                                                 NOW)
            closed = None
            if engineer is not None:
                events.append((opened + dt.timedelta(minutes=2), "assign", "",
                               engineer.username))
            events.append((opened + dt.timedelta(minutes=3), "comment", "", ""))
        else:
            opened = NOW - dt.timedelta(days=30, minutes=rng.randint(0, 60 * 24 * 700))
            priority = rng.choice(levels(contract))
            status = "closed" if rng.random() < 0.9 else rng.choice(("resolved", "confirmed"))
            closed = opened + dt.timedelta(hours=rng.randint(1, 200)) if status == "closed" \
                else None
            events = [(opened, "opened", "", priority),
                      (closed or opened + dt.timedelta(hours=5), "status", "", status)]
        number = f"{PREFIXES[kind]}-{opened.year}-{pk:08d}"
        title = rng.choice(TITLES)
        assignee = str(engineer.pk) if engineer else NULL
        team_id = str(team) if team else NULL
        closed_at = iso(closed) if closed else NULL
        tw(f"{pk}\t{number}\t{kind}\t{title}\t\t{reporter}\tphone\t{version.pk}\t{priority}\t\t"
           f"{assignee}\t{team_id}\t{status}\t{iso(opened)}\t1\t{NULL}\t\t{closed_at}\t\n")
        for at, event_kind, before, after in events:
            ew(f"{pk}\t{iso(at)}\t{NULL}\t{event_kind}\t{before}\t{after}\t\tt\n")
        sw(f"{pk}\t{system}\n")
        iw(f"{pk}\t{system}\n")
        tables.counts["tickets"] += 1
        tables.counts["events"] += len(events)


def copy_in(tables: Tables) -> None:
    from django.db import connection

    from careops.servicedesk.models import Ticket, TicketEvent

    ticket_columns = ("id", "number", "kind", "title", "description", "reporter_id", "channel",
                      "contract_version_id", "priority", "priority_reason", "assignee_id",
                      "team_id", "status", "opened_at", "version", "effort_person_days",
                      "fallback_plan", "closed_at", "email_thread")
    event_columns = ("ticket_id", "at", "actor_id", "kind", "from_value", "to_value", "note",
                     "public")
    systems = Ticket.systems.through
    items = Ticket.items.through
    jobs = [
        (Ticket._meta.db_table, ticket_columns, tables.tickets),
        (TicketEvent._meta.db_table, event_columns, tables.events),
        (systems._meta.db_table, ("ticket_id", "businesssystem_id"), tables.systems),
        (items._meta.db_table, ("ticket_id", "configitem_id"), tables.items),
    ]
    with connection.cursor() as cursor:
        for table, columns, buffer in jobs:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
        table = Ticket._meta.db_table
        sequence = f"pg_get_serial_sequence('{table}', 'id')"
        cursor.execute(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))")  # noqa: S608


def load(world: World, rng: random.Random, first_id: int, count: int, open_tickets: bool
         ) -> tuple[int, int, float, float]:
    """(tickets, events, seconds generating, seconds in COPY) in batches of 100,000."""
    gen = copy = 0.0
    tickets = events = 0
    for start in range(first_id, first_id + count, 100_000):
        size = min(100_000, first_id + count - start)
        tables = Tables()
        began = time.perf_counter()
        generate(world, tables, rng, start, size, open_tickets)
        gen += time.perf_counter() - began
        began = time.perf_counter()
        copy_in(tables)
        copy += time.perf_counter() - began
        tickets += tables.counts["tickets"]
        events += tables.counts["events"]
    return tickets, events, gen, copy


def analyze() -> float:
    from django.db import connection

    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - began


# --- recompute ------------------------------------------------------------------------

def open_ids() -> list[int]:
    from careops.servicedesk.models import Ticket

    return list(Ticket.objects.exclude(status__in=TERMINAL).order_by("pk")
                .values_list("pk", flat=True))


def recompute(ids: list[int], sample: int, seed: int) -> dict[str, Any]:
    from careops.core import calendars as cals
    from careops.servicedesk.clocks import clocks_for, clocks_for_many
    from careops.servicedesk.models import Ticket

    cals.forget()
    results: dict[int, Any] = {}
    clocks = 0
    with counting() as queries:
        began = time.perf_counter()
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            tickets = (Ticket.objects.filter(pk__in=chunk)
                       .only("pk", "kind", "contract_version_id"))
            out = clocks_for_many(tickets, NOW)
            clocks += sum(len(c) for c in out.values())
            results.update(out)
        many = time.perf_counter() - began
    states: dict[str, int] = {}
    for found in results.values():
        for clock in found:
            states[clock.state] = states.get(clock.state, 0) + 1

    picked = random.Random(seed).sample(ids, min(sample, len(ids)))
    with counting() as peer_queries:
        began = time.perf_counter()
        for pk in picked:
            ticket = Ticket.objects.select_related("contract_version").get(pk=pk)
            if clocks_for(ticket, NOW) != results[pk]:
                raise SystemExit(f"MISMATCH: clocks_for and clocks_for_many differ on {pk}")
        one = time.perf_counter() - began
    return {"tickets": len(ids), "seconds": many, "clocks": clocks, "states": states,
            "queries": queries.count, "sample": len(picked), "peer_seconds": one,
            "peer_queries": peer_queries.count}


# --- the ticket list ------------------------------------------------------------------

def token_for(user: Any) -> str:
    from rest_framework.authtoken.models import Token

    return str(Token.objects.get_or_create(user=user)[0].key)


def list_requests(world: World, rng: random.Random, count: int, code: str | None
                  ) -> list[dict[str, str]]:
    """Varied filters: 1-3 of status, kind, priority, assignee, team, contract and an
    opened range; ``code`` limits assignee/team/contract to one contract (the vendor's)."""
    from careops.logic import ticket_flow

    codes = [code] if code else list(world.systems)
    statuses = sorted({s for flow in ticket_flow.FLOWS.values() for s in flow} | set(WAITS))
    out = []
    for n in range(count):
        params: dict[str, str] = {}
        names = rng.sample(("status", "kind", "priority", "assignee", "team", "contract",
                            "opened"), rng.choice((1, 1, 2, 2, 3)))
        if n % 20 == 0:
            names = []                                    # the plain newest-first list
        for name in names:
            pick = rng.choice(codes)
            if name == "status":
                params["status"] = rng.choice(statuses)
            elif name == "kind":
                params["kind"] = rng.choice(("incident", "request", "bug"))
            elif name == "priority":
                params["priority"] = rng.choice(("P1", "P2", "P3"))
            elif name == "assignee":
                params["assignee"] = rng.choice(world.engineers[pick]).username
            elif name == "team":
                params["team"] = f"team-{pick}"
            elif name == "contract":
                params["contract"] = pick
            else:
                end = NOW - dt.timedelta(days=rng.randint(0, 600))
                start = end - dt.timedelta(days=rng.choice((1, 7, 30, 90)))
                params["opened_after"] = start.isoformat()
                params["opened_before"] = end.isoformat()
        params["limit"] = "50"
        out.append(params)
    return out


def timed_list(client: Any, token: str, requests: list[dict[str, str]]
               ) -> tuple[list[float], int]:
    times = []
    with counting() as queries:
        for params in requests:
            began = time.perf_counter()
            response = client.get(f"/api/v1/tickets/?{urlencode(params)}",
                                  HTTP_AUTHORIZATION=f"Token {token}")
            times.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"GET {params} answered {response.status_code}: "
                                 f"{response.content[:300]!r}")
    return times, queries.count


def honoured_filters(client: Any, token: str, world: World) -> dict[str, bool]:
    """Which filter parameters this API applies: a filter that changes the count."""
    code = next(iter(world.systems))
    probes = {"status": {"status": "new"}, "kind": {"kind": "bug"},
              "priority": {"priority": "P2"},
              "assignee": {"assignee": world.engineers[code][0].username},
              "team": {"team": f"team-{code}"}, "contract": {"contract": code},
              "opened range": {"opened_after": (NOW - dt.timedelta(days=3)).isoformat(),
                               "opened_before": NOW.isoformat()}}
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}

    def answer(params: dict[str, str]) -> tuple[int, list[str]]:
        # counts stop at the API's cap, so the first page's numbers tell as well
        body = client.get(f"/api/v1/tickets/?{urlencode({**params, 'limit': '20'})}",
                          **auth).json()
        return body["count"], [row["number"] for row in body["results"]]

    everything = answer({})
    return {name: answer(p) != everything for name, p in probes.items()}


SECONDARY = ("ticket_kind_status", "ticket_assignee_status", "ticket_team_status")


def secondary_indexes() -> list[str]:
    """The ticket table's indexes the peer drops: the lead's composite ones, the one on
    opened_at and any this benchmark's migration added (bench_*)."""
    from django.db import connection

    from careops.servicedesk.models import Ticket

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
                       [Ticket._meta.db_table])
        rows = cursor.fetchall()
    return [name for name, definition in rows
            if name in SECONDARY or name.startswith("ticket_bench_")
            or "(opened_at)" in definition]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def list_bench(world: World, count: int, seed: int) -> list[dict[str, Any]]:
    from django.db import connection, transaction
    from django.test import Client

    client = Client()
    code = "seed-004-edu"
    users = [("hospital admin", world.admin, None),
             ("vendor engineer", world.engineers[code][1], code)]
    rows = []
    tokens = {label: token_for(user) for label, user, _ in users}
    plans = {label: list_requests(world, random.Random(seed), count, scope)
             for label, _, scope in users}
    for label, _user, _scope in users:
        timed_list(client, tokens[label], plans[label][:10])        # warm caches
    for label, _user, _scope in users:
        times, queries = timed_list(client, tokens[label], plans[label])
        rows.append({"who": label, "variant": "indexed", "times": times,
                     "queries": queries / len(times)})
    dropped = secondary_indexes()
    with transaction.atomic():
        with connection.cursor() as cursor:
            for name in dropped:
                cursor.execute(f'DROP INDEX "{name}"')
        for label, _user, _scope in users:
            timed_list(client, tokens[label], plans[label][:10])
            times, queries = timed_list(client, tokens[label], plans[label])
            rows.append({"who": label, "variant": "peer: no secondary indexes",
                         "times": times, "queries": queries / len(times)})
        transaction.set_rollback(True)
    rows.append({"dropped": dropped, "honoured": honoured_filters(
        client, tokens["hospital admin"], world)})
    return rows


# --- main -----------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--open", type=int, default=100_000, help="open tickets (recompute)")
    parser.add_argument("--total", type=int, default=1_000_000, help="tickets for the list")
    parser.add_argument("--sample", type=int, default=500, help="tickets for the peer")
    parser.add_argument("--requests", type=int, default=200, help="list requests per user")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--list-only", action="store_true",
                        help="only the list part, on the database a full run left")
    args = parser.parse_args(argv)
    if args.total < args.open:
        parser.error("--total must be at least --open")
    if args.list_only:
        setup_django(args.database_url)
        list_report(existing_world(), args)
        return 0

    overall = time.perf_counter()
    began = time.perf_counter()
    fresh_database(args.database_url)
    setup_django(args.database_url)
    print(f"database {urlsplit(args.database_url).path.lstrip('/')} created and migrated in "
          f"{time.perf_counter() - began:.1f} s; now = {NOW.isoformat()}")
    rng = random.Random(args.seed)
    world = build_world(rng)
    print(f"{len(world.versions)} contract versions of {len(world.systems)} seed contracts, "
          f"{sum(len(s) for s in world.systems.values())} systems")

    tickets, events, gen, copy = load(world, rng, 1, args.open, open_tickets=True)
    vacuum = analyze()
    print(f"load {tickets:,} open tickets, {events:,} events ({events / tickets:.1f} each): "
          f"generate {gen:.1f} s, COPY {copy:.1f} s, VACUUM ANALYZE {vacuum:.1f} s")

    ids = open_ids()
    result = recompute(ids, args.sample, args.seed)
    per_many = result["seconds"] / result["tickets"]
    per_one = result["peer_seconds"] / result["sample"]
    states = ", ".join(f"{k} {v:,}" for k, v in sorted(result["states"].items()))
    print()
    print(f"{'recompute (PostgreSQL)':34} {'tickets':>9} {'seconds':>9} {'µs/ticket':>10}"
          f" {'queries':>9}")
    print(f"{'clocks_for_many, chunks of 2,000':34} {result['tickets']:>9,}"
          f" {result['seconds']:>9.1f} {per_many * 1e6:>10.0f} {result['queries']:>9,}")
    print(f"{'peer: clocks_for per ticket':34} {result['sample']:>9,}"
          f" {result['peer_seconds']:>9.1f} {per_one * 1e6:>10.0f}"
          f" {result['peer_queries']:>9,}")
    print(f"{'  extrapolated to every ticket':34} {result['tickets']:>9,}"
          f" {per_one * result['tickets']:>9.1f}")
    print(f"ratio peer / clocks_for_many: {per_one / per_many:.1f}x; {result['clocks']:,} clocks"
          f" ({states}); the sample's clocks are equal")

    extra = args.total - tickets
    if extra > 0:
        grown, grown_events, gen, copy = load(world, rng, tickets + 1, extra, open_tickets=False)
        vacuum = analyze()
        print(f"\ngrow by {grown:,} older tickets (90 % closed, 2 events each: {grown_events:,}):"
              f" generate {gen:.1f} s, COPY {copy:.1f} s, VACUUM ANALYZE {vacuum:.1f} s")
    list_report(world, args)
    print(f"\ntotal {time.perf_counter() - overall:.0f} s")
    return 0


def list_report(world: World, args: argparse.Namespace) -> None:
    from careops.servicedesk.models import Ticket

    total = Ticket.objects.count()
    rows = list_bench(world, args.requests, args.seed)
    info = rows.pop()
    print(f"\nGET /api/v1/tickets/ at {total:,} tickets, {args.requests} requests each,"
          f" page of 50, newest first (ms)")
    print(f"{'user':17} {'variant':28} {'p50':>7} {'p95':>7} {'max':>7} {'queries':>8}")
    indexed: dict[str, float] = {}
    for row in rows:
        p50, p95 = statistics.median(row["times"]), percentile(row["times"], 95)
        if row["variant"] == "indexed":
            indexed[row["who"]] = p95
            ratio = ""
        else:
            ratio = f"  p95 ratio peer/indexed {p95 / indexed[row['who']]:.1f}x"
        print(f"{row['who']:17} {row['variant']:28} {p50:7.1f} {p95:7.1f}"
              f" {max(row['times']):7.1f} {row['queries']:8.1f}{ratio}")
    print(f"peer dropped: {', '.join(info['dropped'])}")
    ignored = [name for name, ok in info["honoured"].items() if not ok]
    print("filters the API applies: " + ", ".join(n for n, ok in info["honoured"].items() if ok)
          + (f"; IGNORED (the API does not know them yet): {', '.join(ignored)}"
             if ignored else ""))


if __name__ == "__main__":
    raise SystemExit(main())
