"""Detection to ticket: seconds from a fault to the ticket, CareOps against Prometheus +
Alertmanager with their default settings, on the same faults in the same run.

    .venv/bin/python bench/detect.py                         # 8 exporters, 8 faults over 5 min
    .venv/bin/python bench/detect.py --faults 4 --window 120 # quicker
    .venv/bin/python bench/detect.py --exporters 12 --faults 10 --seed 7

Targets: ``--exporters`` real ``prometheus-node-exporter`` processes (Debian, default
collectors) on free loopback ports.

CareOps: a throw-away SQLite database in a temporary CAREOPS_VAR_DIR, migrated here; seed
contract 004 loaded; one Host per exporter with its node_exporter endpoint (so one managed
scrape check each, with the Check model's default interval and timeout: nothing tuned) and
one business system running on it; ``careops collect`` running as a subprocess against the
same database file (the product's collector loop: a failed scrape is a CheckFailed signal,
the alert pipeline opens the incident). CareOps' "ticket" = the incident naming the host
exists in the database (polled every POLL_S).

Peer: Debian's ``/usr/bin/prometheus`` scraping the same exporters with its DEFAULT global
settings (no ``global:`` section: scrape_interval 1m, scrape_timeout 10s,
evaluation_interval 1m) and one alert rule ``up == 0`` with no ``for:`` (0 s), sending to
Debian's ``/usr/bin/prometheus-alertmanager`` with default route timing (group_wait 30s,
group_interval 5m, repeat_interval 4h; only ``group_by`` is set, to alertname + instance,
so each instance is its own group like each system is its own group in CareOps:
``--am-group-by ""`` gives Alertmanager's default of one group for everything). The
receiver is a webhook listener in this script that records arrival times: the peer's
"ticket" = the first notification naming the instance.

Faults: ``--faults`` exporters, chosen at random (``--seed``), are killed (SIGKILL) one at
a time at random instants spread over ``--window`` seconds, after both systems have
scraped every exporter successfully. Each fault is applied once and seen by both. The
script waits until both have reported every fault (at most ``--tail`` s after the last).
Prints each fault, p50/p95/max for both (linear interpolation between order statistics),
the ratio peer / CareOps, the intervals both are configured with (read back from the
running servers and the database), the machine load and the total run time. Every process
and temporary directory is removed at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from careops.core.tests.processes import free_port, stop, wait_http  # noqa: E402 (after the sys.path line above)

SEED_004 = ROOT / "contracts" / "examples" / "seed-004-surgical-video-exam.yaml"
POLL_S = 0.2  # how often the CareOps database is polled for incidents
WARMUP_S = 180.0  # longest wait for both systems to have scraped every exporter once


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False,
                          env={**os.environ, "TZ": "UTC"}).stdout.strip() + " (UTC)"


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (our own servers)
        return json.loads(answer.read().decode())


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


class Processes:
    """Every process and directory the run made, stopped and removed in reverse order."""

    def __init__(self) -> None:
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.dirs: list[Path] = []

    def start(self, name: str, argv: list[str], log: Path | None = None,
              env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        out = log.open("ab") if log is not None else subprocess.DEVNULL
        # own session: a Ctrl-C reaches this script only, which then stops them in order
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env,
                                cwd=ROOT, start_new_session=True)
        if log is not None:
            out.close()  # type: ignore[union-attr]
        self.procs.append((name, proc))
        return proc

    def close(self) -> None:
        for _name, proc in reversed(self.procs):
            stop(proc)
        self.procs.clear()
        for path in reversed(self.dirs):
            shutil.rmtree(path, ignore_errors=True)
        self.dirs.clear()


# --- the peer's receiver ---------------------------------------------------------------
class Webhook:
    """Alertmanager's webhook receiver: the arrival (monotonic) of the first firing
    notification naming each instance."""

    def __init__(self) -> None:
        self.first: dict[str, float] = {}
        self.posts = 0
        lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                arrived = time.monotonic()
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length).decode())
                except ValueError:
                    body = {}
                with lock:
                    hook.posts += 1
                    for alert in body.get("alerts") or []:
                        instance = (alert.get("labels") or {}).get("instance")
                        if alert.get("status") == "firing" and instance:
                            hook.first.setdefault(str(instance), arrived)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_peer(run: Processes, root: Path, targets: list[str], webhook: Webhook,
               group_by: list[str] | None) -> tuple[str, str]:
    """Alertmanager then Prometheus, with their defaults; returns their URLs."""
    am_port, prom_port = free_port(), free_port()
    route: dict[str, Any] = {"receiver": "bench"}  # no timing given: the defaults apply
    if group_by is not None:
        route["group_by"] = group_by
    (root / "alertmanager.yml").write_text(json.dumps({
        "route": route,
        "receivers": [{"name": "bench", "webhook_configs": [
            {"url": webhook.url, "send_resolved": False}]}]}), encoding="utf-8")
    am = run.start("alertmanager", [
        shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager",
        f"--config.file={root / 'alertmanager.yml'}", f"--storage.path={root / 'am-data'}",
        f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address=",
        "--log.level=warn"], log=root / "alertmanager.log")
    am_url = f"http://127.0.0.1:{am_port}"
    wait_http(f"{am_url}/-/ready", am, "Alertmanager", timeout_s=60)
    (root / "rules.yml").write_text(json.dumps({"groups": [{"name": "bench", "rules": [
        {"alert": "InstanceDown", "expr": "up == 0",  # no "for": fires at once (0 s)
         "labels": {"severity": "critical"},
         "annotations": {"summary": "{{ $labels.instance }} is down"}}]}]}),
        encoding="utf-8")
    # no "global" section: Prometheus' defaults (scrape 1m, timeout 10s, evaluation 1m)
    (root / "prometheus.yml").write_text(json.dumps({
        "alerting": {"alertmanagers": [{"static_configs": [
            {"targets": [f"127.0.0.1:{am_port}"]}]}]},
        "rule_files": [str(root / "rules.yml")],
        "scrape_configs": [{"job_name": "node",
                            "static_configs": [{"targets": targets}]}]}), encoding="utf-8")
    prom = run.start("prometheus", [
        shutil.which("prometheus") or "/usr/bin/prometheus",
        f"--config.file={root / 'prometheus.yml'}", f"--storage.tsdb.path={root / 'prom-data'}",
        f"--web.listen-address=127.0.0.1:{prom_port}", "--log.level=warn"],
        log=root / "prometheus.log")
    prom_url = f"http://127.0.0.1:{prom_port}"
    wait_http(f"{prom_url}/-/ready", prom, "Prometheus", timeout_s=60)
    return prom_url, am_url


def peer_intervals(prom_url: str, am_url: str) -> str:
    """The timing both peer servers actually run with (their own config read-back)."""
    import yaml

    prom = yaml.safe_load(get_json(f"{prom_url}/api/v1/status/config")["data"]["yaml"])
    glob = prom.get("global") or {}
    rules = get_json(f"{prom_url}/api/v1/rules")["data"]["groups"]
    rule = rules[0]["rules"][0] if rules and rules[0]["rules"] else {}
    am = yaml.safe_load(get_json(f"{am_url}/api/v2/status")["config"]["original"])
    route = am.get("route") or {}
    return (f"Prometheus {glob.get('scrape_interval')} scrape, {glob.get('scrape_timeout')} "
            f"timeout, {glob.get('evaluation_interval')} evaluation; rule "
            f"{rule.get('query')!r} for {rule.get('duration', 0)} s; Alertmanager "
            f"group_by {route.get('group_by') or '(none: one group)'}, group_wait "
            f"{route.get('group_wait', '30s (default)')}, group_interval "
            f"{route.get('group_interval', '5m (default)')}, repeat_interval "
            f"{route.get('repeat_interval', '4h (default)')}")


def peer_firing(prom_url: str) -> dict[str, float]:
    """instance → Unix time of the rule evaluation that made its alert active (with no
    ``for:``, active = firing)."""
    found: dict[str, float] = {}
    for alert in get_json(f"{prom_url}/api/v1/alerts")["data"]["alerts"]:
        instance = (alert.get("labels") or {}).get("instance")
        active = str(alert.get("activeAt") or "")
        # RFC 3339 with up to nine fraction digits; Python takes six
        active = re.sub(r"(\.\d{6})\d+", r"\1", active).replace("Z", "+00:00")
        if instance and active:
            found[str(instance)] = dt.datetime.fromisoformat(active).timestamp()
    return found


def prometheus_up(prom_url: str) -> int:
    query = urllib.parse.urlencode({"query": "up == 1"})
    return len(get_json(f"{prom_url}/api/v1/query?{query}")["data"]["result"])


# --- CareOps ---------------------------------------------------------------------------
def careops_env(var_dir: Path) -> dict[str, str]:
    """The environment of this process and of the collector: a fresh SQLite database in
    ``var_dir``; every other setting at the product's default."""
    env = dict(os.environ)
    for name in list(env):
        if name == "DATABASE_URL" or (name.startswith("CAREOPS_") and name not in (
                "CAREOPS_SECRETS_KEY",)):
            del env[name]
    env.update({"DJANGO_SETTINGS_MODULE": "careops.settings",
                "CAREOPS_VAR_DIR": str(var_dir), "CAREOPS_LOG_LEVEL": "WARNING"})
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def seed_contract_text(extra_systems: list[str]) -> str:
    """Seed contract 004 as written, its covered systems extended by the bench's and its
    service period (2026) stretched to cover today: ``careops collect`` opens the incidents
    at the real current time, which must fall under the contract."""
    from careops.contracts.tests.seeds import covering_today

    text = covering_today(SEED_004.read_text(encoding="utf-8"), dt.date.today())
    lines = "".join(f"\n  - {code}  # bench/detect.py" for code in extra_systems)
    new, count = re.subn(r"^(  - EXAM-STD[^\n]*)$", lambda m: m.group(1) + lines, text,
                         count=1, flags=re.MULTILINE)
    if count != 1:
        raise RuntimeError(f"{SEED_004.name}: its systems list changed; update the bench")
    return new


def seed_cmdb(targets: list[str]) -> list[int]:
    """One Host per exporter, a business system running on each (each fault its own
    group, so its own incident), covered by seed contract 004. Returns the host ids."""
    from careops.cmdb.models import BusinessSystem, Department, Host, Relation, Vendor
    from careops.contracts.actions import profiles
    from careops.core.choices import Role
    from careops.core.models import User
    from careops.monitoring.models import Check

    admin = User.objects.create(username="bench-admin", role=Role.HOSPITAL_ADMIN)
    vendor = Vendor.objects.create(code="V-EDU", name="博学医教科技有限公司")
    surgery = Department.objects.create(code="SURG", name="手术部")
    codes = ["SURG-VIDEO", "EXAM-STD"] + [f"BENCH-SYS-{i + 1:02d}"
                                          for i in range(2, len(targets))]
    hosts = []
    for index, target in enumerate(targets):
        system = BusinessSystem.objects.create(
            code=codes[index], name=f"业务系统 {index + 1}", category="research_teaching",
            patient_safety=index == 0)
        system.departments.add(surgery)
        system.maintainers.add(vendor)
        host = Host.objects.create(
            code=f"SRV-BENCH-{index + 1:02d}", name=f"服务器 {index + 1}",
            hostname=f"bench{index + 1:02d}", os_family="linux",
            monitoring_endpoints=[{"job": "node", "target": target}])
        Relation.objects.create(source=system, type="runs_on", target=host)
        hosts.append(host.pk)
    profiles.load_profile(admin, seed_contract_text(codes[2:]))
    if Check.objects.filter(item_id__in=hosts, kind="scrape").count() != len(targets):
        raise RuntimeError("the hosts' managed scrape checks were not created")
    return hosts


def careops_alert_starts(host_ids: list[int]) -> dict[int, float]:
    """host id → Unix time of its alert's start: the start of the first failing check run."""
    from careops.monitoring.models import Alert

    found: dict[int, float] = {}
    for item_id, starts_at in (Alert.objects.filter(item_id__in=host_ids)
                               .values_list("item_id", "starts_at")):
        found[item_id] = min(found.get(item_id, math.inf), starts_at.timestamp())
    return found


def careops_intervals() -> str:
    from django.conf import settings

    from careops.monitoring.models import Check

    rows = sorted(set(Check.objects.values_list("interval_s", "timeout_s")))
    checks = ", ".join(f"interval {i} s, timeout {t:g} s" for i, t in rows)
    return (f"CareOps checks: {checks} (Check model defaults); rule/periodic pass every "
            f"{settings.CAREOPS_RULE_INTERVAL_S} s; incident severity from "
            f"{settings.CAREOPS_ALERT_TICKET_SEVERITY}")


def careops_ok() -> int:
    from careops.monitoring.models import Check

    return Check.objects.filter(last_status="ok").count()


def careops_tickets(host_ids: list[int]) -> dict[int, tuple[str, str]]:
    """host id → (number, priority) of the monitoring incidents naming the hosts."""
    from careops.servicedesk.models import Ticket

    found: dict[int, tuple[str, str]] = {}
    rows = (Ticket.objects.filter(channel="monitoring", kind="incident",
                                  items__pk__in=host_ids)
            .values_list("items__pk", "number", "priority"))
    for item_id, number, priority in rows:
        found.setdefault(item_id, (number, priority or "-"))
    return found


# --- the run ---------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exporters", type=int, default=8)
    parser.add_argument("--faults", type=int, default=None,
                        help="exporters killed (default: all of them)")
    parser.add_argument("--window", type=float, default=300.0,
                        help="seconds over which the kills are spread (default 300)")
    parser.add_argument("--tail", type=float, default=480.0,
                        help="longest wait for both after the last kill (default 480: room for "
                             "Alertmanager's group_interval, 5 min, with --am-group-by \"\")")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--am-group-by", default="alertname,instance",
                        help="Alertmanager group_by, comma-separated; \"\" for its default "
                             "(everything in one group)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary directory (logs, databases)")
    args = parser.parse_args()
    faults = args.exporters if args.faults is None else args.faults
    if args.exporters < 1:
        parser.error("--exporters: at least 1")
    if not 1 <= faults <= args.exporters:
        parser.error("--faults: between 1 and --exporters (each exporter is killed once)")
    if args.window < 0 or args.tail <= 0:
        parser.error("--window must be ≥ 0 and --tail > 0")
    for binary in ("prometheus-node-exporter", "prometheus", "prometheus-alertmanager"):
        if shutil.which(binary) is None:
            parser.error(f"{binary} is not installed (apt-get install {binary})")

    def terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, terminate)
    started = time.monotonic()
    print("load before:", uptime(), flush=True)
    run = Processes()
    webhook: Webhook | None = None
    root: Path | None = None
    try:
        root = Path(tempfile.mkdtemp(prefix="careops-bench-detect-"))
        if not args.keep:
            run.dirs.append(root)
        env = careops_env(root / "var")
        (root / "var").mkdir()
        setup_django(env)

        exporters = []
        for index in range(args.exporters):
            target = f"127.0.0.1:{free_port()}"
            proc = run.start(f"node_exporter {index + 1}", [
                shutil.which("prometheus-node-exporter") or "",
                f"--web.listen-address={target}"], log=root / "node_exporter.log")
            exporters.append((target, proc))
        for target, proc in exporters:
            wait_http(f"http://{target}/metrics", proc, f"node_exporter {target}", timeout_s=60)
        targets = [target for target, _ in exporters]
        hosts = seed_cmdb(targets)

        webhook = Webhook()
        group_by = [g.strip() for g in args.am_group_by.split(",") if g.strip()] or None
        prom_url, am_url = start_peer(run, root, targets, webhook, group_by)
        collector = run.start("careops collect",
                              [sys.executable, "-m", "careops.cli", "collect"],
                              log=root / "collect.log", env=env)
        print(f"{args.exporters} node_exporters; CareOps collector pid {collector.pid} on "
              f"SQLite {root / 'var'}; Prometheus {prom_url}; Alertmanager {am_url}")
        print(careops_intervals())
        print(peer_intervals(prom_url, am_url))
        print("CareOps' ticket: the monitoring incident naming the host exists in the "
              f"database (polled every {POLL_S} s). Peer's ticket: the first Alertmanager "
              "webhook notification naming the instance arrives.", flush=True)

        # warm-up: both have scraped every exporter successfully
        deadline = time.monotonic() + WARMUP_S
        while careops_ok() < len(targets) or prometheus_up(prom_url) < len(targets):
            if collector.poll() is not None:
                raise RuntimeError(f"careops collect exited ({root / 'collect.log'})")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"warm-up: CareOps {careops_ok()}/{len(targets)} checks ok, Prometheus "
                    f"{prometheus_up(prom_url)}/{len(targets)} targets up after {WARMUP_S} s")
            time.sleep(1.0)
        print(f"warm-up done after {time.monotonic() - started:.0f} s; {faults} faults over "
              f"{args.window:.0f} s (seed {args.seed})", flush=True)

        rnd = random.Random(args.seed)
        victims = rnd.sample(range(args.exporters), faults)
        offsets = sorted(rnd.uniform(0, args.window) for _ in range(faults))
        plan = list(zip(offsets, victims, strict=True))
        killed: dict[int, float] = {}  # exporter index → monotonic kill instant
        ours: dict[int, float] = {}
        ours_ticket: dict[int, tuple[str, str]] = {}
        window_start = time.monotonic()
        last_kill = window_start
        while True:
            now = time.monotonic()
            while plan and now - window_start >= plan[0][0]:
                _offset, index = plan.pop(0)
                killed[index] = time.monotonic()
                exporters[index][1].kill()
                exporters[index][1].wait()
                last_kill = killed[index]
                print(f"  +{killed[index] - window_start:5.1f} s  killed exporter "
                      f"{index + 1} ({targets[index]})", flush=True)
            pending = [hosts[i] for i in killed if i not in ours]
            seen_at = time.monotonic()
            found = careops_tickets(pending) if pending else {}
            for index in list(killed):
                if index not in ours and hosts[index] in found:
                    ours[index] = seen_at
                    ours_ticket[index] = found[hosts[index]]
            peer_done = all(targets[i] in webhook.first for i in killed)
            if not plan and len(ours) == len(killed) and peer_done:
                break
            if not plan and time.monotonic() - last_kill > args.tail:
                print(f"  gave up waiting {args.tail:.0f} s after the last kill")
                break
            if collector.poll() is not None:
                raise RuntimeError(f"careops collect exited ({root / 'collect.log'})")
            time.sleep(POLL_S)

        # false alarms: tickets or notifications for exporters never killed
        alive = [i for i in range(args.exporters) if i not in killed]
        false_ours = careops_tickets([hosts[i] for i in alive]) if alive else {}
        false_peer = [targets[i] for i in alive if targets[i] in webhook.first]

        # where the time went: to the failing check run / the rule firing, then to the ticket
        clock = time.time() - time.monotonic()  # monotonic → Unix time
        check_at = careops_alert_starts([hosts[i] for i in killed])
        firing_at = peer_firing(prom_url)

        def part(start: float | None, end: float | None) -> str:
            return f"{end - start:.1f}" if start is not None and end is not None else "-"

        print()
        print(f"{'fault':>5} {'exporter':>8} {'at (s)':>7} │ {'CareOps':>7} {'check':>6} "
              f"{'→ticket':>7} {'ticket':>18} │ {'peer':>6} {'firing':>6} {'→notify':>7}")
        ours_s: list[float] = []
        peer_s: list[float] = []
        parts: dict[str, list[float]] = {"check": [], "ticket": [], "firing": [], "notify": []}
        for number, (index, at) in enumerate(sorted(killed.items(), key=lambda kv: kv[1])):
            mine = ours.get(index)
            theirs = webhook.first.get(targets[index])
            checked = check_at.get(hosts[index])
            fired = firing_at.get(targets[index])
            kill = at + clock
            if mine is not None:
                ours_s.append(mine - at)
            if theirs is not None:
                peer_s.append(theirs - at)
            for name, start, end in (("check", kill, checked),
                                     ("ticket", checked, None if mine is None else mine + clock),
                                     ("firing", kill, fired),
                                     ("notify", fired, None if theirs is None else theirs + clock)):
                if start is not None and end is not None:
                    parts[name].append(end - start)
            ticket = " ".join(ours_ticket.get(index, ("-", "")))
            print(f"{number + 1:>5} {index + 1:>8} {at - window_start:>7.1f} │ "
                  f"{part(at, mine) if mine is not None else 'missed':>7} "
                  f"{part(kill, checked):>6} "
                  f"{part(checked, None if mine is None else mine + clock):>7} {ticket:>18} │ "
                  f"{part(at, theirs) if theirs is not None else 'missed':>6} "
                  f"{part(kill, fired):>6} "
                  f"{part(fired, None if theirs is None else theirs + clock):>7}")
        print("  CareOps = check (kill → start of the first failing check run: waiting for the "
              "schedule) + →ticket (that run, the alert pipeline, the incident, the poll)")
        print("  peer    = firing (kill → the rule evaluation that fired: next scrape, then "
              "next evaluation) + →notify (to Alertmanager, group_wait, the webhook)")
        print("  medians: " + ", ".join(f"{name} {percentile(values, 0.5):.1f} s"
                                         for name, values in parts.items()))
        print()
        for name, values in (("CareOps", ours_s), ("Prometheus + Alertmanager", peer_s)):
            missed = len(killed) - len(values)
            print(f"{name:<26} p50 {percentile(values, 0.5):6.1f} s   p95 "
                  f"{percentile(values, 0.95):6.1f} s   max "
                  f"{max(values, default=float('nan')):6.1f} s"
                  + (f"   ({missed} missed)" if missed else ""))
        if ours_s and peer_s:
            print(f"ratio peer / CareOps: {percentile(peer_s, 0.5) / percentile(ours_s, 0.5):.2f}"
                  f" at p50, {percentile(peer_s, 0.95) / percentile(ours_s, 0.95):.2f} at p95")
        print(f"false alarms (never killed): CareOps {len(false_ours)}, peer {len(false_peer)}; "
              f"webhook posts received: {webhook.posts}")
        if args.keep:
            print(f"kept: {root}")
        return 0 if len(ours_s) == len(peer_s) == len(killed) else 1
    except KeyboardInterrupt:
        print("\ninterrupted: cleaning up", file=sys.stderr)
        return 130
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        for log in sorted(root.glob("*.log")) if root is not None else []:
            lines = log.read_text(errors="replace").splitlines()[-5:]
            if lines:
                print(f"--- last lines of {log.name}:", *lines, sep="\n  ", file=sys.stderr)
        return 1
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not stop the clean-up
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 (django may not be set up yet)
            pass
        if webhook is not None:
            webhook.close()
        run.close()
        print("load after:", uptime())
        print(f"total run time: {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    raise SystemExit(main())
