"""Recompute every SLA clock of N synthetic open tickets with the pure engine.

    .venv/bin/python bench/sla_recompute.py                 # 100,000 tickets
    .venv/bin/python bench/sla_recompute.py --tickets 5000 --sample 200
    .venv/bin/python bench/sla_recompute.py --db            # then PostgreSQL, 100,000 / 1M

Without ``--db`` the pure engine only (no database); ``--db`` then runs the
PostgreSQL part of the issue's benchmark (bench/sla_recompute_db.py: recompute with
the ticket models, the filtered ticket list at 1,000,000 tickets; options after ``--``
go to it). The engine part reports

* **engine** — ``careops.logic.sla.compute_clocks`` for every ticket on one shared
  default calendar (08:00-18:00 Chinese working days, Asia/Shanghai), as a periodic
  task would run it: tickets/second and total seconds;
* **peer A, no caching** — the same engine with a new calendar per ticket and without
  the working-time index (``sla.WorkIndex``): every elapsed time walks the calendar day
  by day and every day's hours are looked up again, on a sample; its clocks must equal
  the engine's;
* **peer B, minute stepping** — a naive due computation that walks working time minute
  by minute (is the minute working, is it paused), for the minute/hour targets of a
  sample; its dues are checked against the engine's (exit status 1 on a mismatch).

Ratios are per ticket, peer / engine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from careops.logic import sla
from careops.logic.holidays import PackageHolidays
from careops.logic.sla import (
    Clock,
    PausePolicy,
    Target,
    TicketEvent,
    compute_clocks,
)
from careops.logic.worktime import Calendar, WeeklyHours

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=SH)
HOLIDAYS = PackageHolidays()

# Seed 004's grades, and seed 001's in / outside working hours promise as P3.
TARGETS: dict[tuple[str, bool], list[Target]] = {}
for in_hours in (True, False):
    TARGETS["P1", in_hours] = [
        Target("respond", 15, "working_minutes" if in_hours else "minutes"),
        Target("on_site", 1, "hours"),
        Target("restore", 2, "hours"),
        Target("report", 3, "working_days", start_after="restore"),
    ]
    TARGETS["P2", in_hours] = [
        Target("respond", 30, "working_minutes" if in_hours else "minutes"),
        Target("on_site", 2, "hours"),
        Target("restore", 4, "working_hours"),
        Target("report", 3, "working_days", start_after="restore"),
    ]
    TARGETS["P3", in_hours] = [
        Target("respond", 30 if in_hours else 60, "working_minutes" if in_hours else "minutes"),
        Target("on_site", 60 if in_hours else 120, "working_minutes" if in_hours else "minutes"),
        Target("restore", 2, "working_days"),
        Target("resolve", 5, "working_days", end_of_day=True),
    ]
POLICY = PausePolicy.of({"waiting_for_hospital": ["restore", "resolve", "report"],
                         "waiting_for_third_party": ["restore", "resolve"]})


def default_calendar() -> Calendar:
    return Calendar(SH, WeeklyHours.on(range(5), ["08:00-18:00"]), observe_holidays=True,
                    holidays=HOLIDAYS, name="cn-workday")


def targets_for(priority: str, in_hours: bool) -> list[Target]:
    return TARGETS[priority, in_hours]


def generate(count: int, seed: int) -> list[list[TicketEvent]]:
    """Open tickets opened in the 30 days before NOW, each with 3-8 events.

    Most are acknowledged within the hour (respond met, status acknowledged); then 1-5
    of: on site, restored (which starts the report clock of P1/P2), a wait for the
    hospital or a third party (a pause), back to work, a priority change.
    """
    rng = random.Random(seed)
    tickets = []
    for _ in range(count):
        opened = NOW - dt.timedelta(minutes=rng.randint(10, 60 * 24 * 30))
        events = [TicketEvent(opened, "opened", rng.choice(("P1", "P2", "P3", "P3", "P3")))]
        cur = opened + dt.timedelta(minutes=rng.randint(1, 90))
        if rng.random() < 0.9 and cur < NOW:
            events += [TicketEvent(cur, "target_met", "respond"),
                       TicketEvent(cur, "status", "acknowledged")]
        pending = ["on_site", "restore"]
        for _ in range(rng.randint(1, 5) if len(events) > 1 else rng.randint(2, 7)):
            cur += dt.timedelta(minutes=rng.randint(5, 60 * 24 * 3))
            if cur >= NOW:
                break
            roll = rng.random()
            if roll < 0.35 and pending:
                events.append(TicketEvent(cur, "target_met", pending.pop(0)))
            elif roll < 0.45:
                events.append(TicketEvent(cur, "priority", rng.choice(("P1", "P2", "P3"))))
            elif roll < 0.75:
                events.append(TicketEvent(cur, "status", rng.choice(
                    ("waiting_for_hospital", "waiting_for_third_party"))))
            else:
                events.append(TicketEvent(cur, "status", "in_progress"))
        rng.shuffle(events)  # the engine sorts; stored histories need not be in order
        tickets.append(events)
    return tickets


class WalkIndex:
    """Peer A's measure: the calendar's own day-by-day walk."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar

    def elapsed(self, a: dt.datetime, b: dt.datetime,
                pauses: Sequence[tuple[dt.datetime, dt.datetime]]
                ) -> tuple[dt.timedelta, frozenset[int]]:
        out = self.calendar.elapsed(a, b, pauses)
        return out.value, out.estimated_years


def naive_due(calendar: Calendar, start: dt.datetime, target: Target,
              pauses: Sequence[tuple[dt.datetime, dt.datetime]]) -> dt.datetime:
    """Walk minute by minute (start and amounts are whole minutes here)."""
    remaining = int(target.duration.total_seconds() // 60)
    cur = start
    minute = dt.timedelta(minutes=1)
    while remaining > 0:
        paused = any(s <= cur < e for s, e in pauses)
        if not paused and (not target.working or calendar.is_working(cur).value):
            remaining -= 1
        cur += minute
    return cur


def whole_minute(t: dt.datetime) -> bool:
    return t.second == 0 and t.microsecond == 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=300, help="tickets for the peers")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--db", action="store_true",
                        help="then the PostgreSQL part (bench/sla_recompute_db.py)")
    parser.add_argument("db_args", nargs="*", help="after --: options of sla_recompute_db.py")
    args = parser.parse_args(argv)
    status = engine_bench(args)
    if status or not args.db:
        return status
    print()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from sla_recompute_db import main as db_main

    return db_main(args.db_args)


def engine_bench(args: argparse.Namespace) -> int:

    tickets = generate(args.tickets, args.seed)
    events = sum(len(t) for t in tickets)
    print(f"{len(tickets):,} open tickets, {events:,} events "
          f"({events / len(tickets):.1f} per ticket), now = {NOW.isoformat()}")

    calendar = default_calendar()
    began = time.perf_counter()
    results: list[list[Clock]] = [
        compute_clocks(t, targets_for, calendar, POLICY, NOW) for t in tickets]
    engine = time.perf_counter() - began
    clocks = sum(len(r) for r in results)
    per_engine = engine / len(tickets)
    states: dict[str, int] = {}
    for result in results:
        for clock in result:
            states[clock.state] = states.get(clock.state, 0) + 1
    print(f"engine:             {engine:8.2f} s total, {len(tickets) / engine:10,.0f} tickets/s,"
          f" {clocks:,} clocks ({', '.join(f'{k} {v:,}' for k, v in sorted(states.items()))})")

    sample = random.Random(args.seed + 1).sample(range(len(tickets)), min(args.sample,
                                                                          len(tickets)))
    indexed = sla.work_index
    sla.work_index = WalkIndex  # type: ignore[assignment]
    try:
        began = time.perf_counter()
        for index in sample:
            fresh = compute_clocks(tickets[index], targets_for, default_calendar(), POLICY, NOW)
            if fresh != results[index]:
                print(f"MISMATCH (no caching) on ticket {index}")
                return 1
        per_a = (time.perf_counter() - began) / len(sample)
    finally:
        sla.work_index = indexed
    print(f"peer A no caching:  {per_a * 1e6:8.0f} µs/ticket vs engine {per_engine * 1e6:.0f}"
          f" µs/ticket: ratio {per_a / per_engine:5.1f}x (clocks equal)")

    checked = 0
    began = time.perf_counter()
    for index in sample:
        for clock in results[index]:
            target = clock.target
            if (target.unit == "working_days" or clock.started_at is None
                    or clock.due_at is None or not whole_minute(clock.started_at)):
                continue
            due = naive_due(calendar, clock.started_at, target, clock.paused)
            checked += 1
            if target.amount and due != clock.due_at:
                print(f"MISMATCH (minute stepping) on ticket {index} {clock.name}:"
                      f" {due.isoformat()} != {clock.due_at.isoformat()}")
                return 1
    per_b = (time.perf_counter() - began) / len(sample)
    print(f"peer B minute steps:{per_b * 1e6:8.0f} µs/ticket ({checked} minute/hour dues, all"
          f" equal): ratio {per_b / per_engine:5.1f}x")
    print(f"projected for {len(tickets):,} tickets: peer A {per_a * len(tickets):.1f} s,"
          f" peer B {per_b * len(tickets):.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
