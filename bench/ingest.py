"""Ingestion: scrape + parse + store on the embedded store, samples per second, against
Prometheus scraping the same synthetic targets in the same run.

    .venv/bin/python bench/ingest.py                       # 100 targets, SQLite, 20 s each
    .venv/bin/python bench/ingest.py --targets 40 --seconds 10
    .venv/bin/python bench/ingest.py --database-url postgres://postgres@127.0.0.1/careops_bench

The targets: a subprocess (this file with ``--serve``) listens on one loopback port per
target and serves a node_exporter-like page of about 570 samples (16 CPUs × 8 modes,
8 filesystems, 4 disks, 4 network devices, memory, load, Go runtime summaries …, with
node_exporter's label names), counters rising and gauges moving on every scrape.

(a) CareOps: one Host per target with a node_exporter endpoint (so one managed scrape
check each), the real ``careops.monitoring.scheduler.Collector`` running rounds of
``run_once`` back to back (claim, scrape in its thread pool, parse, store with the
job/instance/careops_* labels plus up/scrape_* like Prometheus) into the embedded store
in a fresh database: stored samples / wall time.

(b) Prometheus (Debian's /usr/bin/prometheus), then, on the same targets: scrape_interval
1 s, TSDB in a temporary directory; its rate is the rise of its own
``prometheus_tsdb_head_samples_appended_total`` over the measured window. Prometheus
scrapes on a fixed interval, so its figure is bounded by what is offered
(targets × samples / 1 s): the script prints that bound beside it.

The phases run one after the other (2 cores: running them together would measure the
contention). Prints machine load (uptime), both rates and the ratio, and a breakdown of
the CareOps time (parse alone, store alone) on one page to say where time goes.
"""

from __future__ import annotations

import argparse
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
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from careops.core.tests.processes import free_port, stop  # noqa: E402 (after the sys.path line above)


# --- the synthetic targets --------------------------------------------------------------
def page_template(index: int) -> list[tuple[str, str, float, float]]:
    """(family header lines, series text, start value, step per scrape) of one target."""
    rows: list[tuple[str, str, float, float]] = []
    rnd = random.Random(index)

    def family(name: str, kind: str, help_text: str) -> str:
        return f"# HELP {name} {help_text}\n# TYPE {name} {kind}\n"

    def add(head: str, series: str, start: float, step: float) -> None:
        rows.append((head, series, start, step))

    modes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"]
    head = family("node_cpu_seconds_total", "counter", "Seconds the CPUs spent in each mode.")
    for cpu in range(16):
        for mode in modes:
            add(head, f'node_cpu_seconds_total{{cpu="{cpu}",mode="{mode}"}}',
                rnd.uniform(1e3, 1e6), rnd.uniform(0.01, 1.0))
            head = ""
    mounts = [("/dev/sda1", "ext4", "/"), ("/dev/sda2", "ext4", "/boot"),
              ("/dev/sdb1", "xfs", "/data"), ("/dev/sdc1", "xfs", "/backup"),
              ("/dev/mapper/vg-log", "ext4", "/var/log"), ("tmpfs", "tmpfs", "/run"),
              ("tmpfs", "tmpfs", "/dev/shm"),  # noqa: S108 (a label, not a path used)
              ("/dev/sdd1", "xfs", "/pacs")]
    for metric in ("avail_bytes", "free_bytes", "size_bytes", "files", "files_free",
                   "readonly", "device_error"):
        head = family(f"node_filesystem_{metric}", "gauge", f"Filesystem {metric}.")
        for device, fstype, mount in mounts:
            add(head, f'node_filesystem_{metric}{{device="{device}",fstype="{fstype}",'
                      f'mountpoint="{mount}"}}', rnd.uniform(1e9, 1e12), rnd.uniform(-1e6, 1e6))
            head = ""
    for metric in ("reads_completed_total", "writes_completed_total", "read_bytes_total",
                   "written_bytes_total", "io_time_seconds_total", "read_time_seconds_total",
                   "write_time_seconds_total", "io_now", "reads_merged_total",
                   "writes_merged_total", "discards_completed_total",
                   "io_time_weighted_seconds_total"):
        head = family(f"node_disk_{metric}", "counter", f"Disk {metric}.")
        for device in ("sda", "sdb", "sdc", "sdd", "dm-0", "dm-1"):
            add(head, f'node_disk_{metric}{{device="{device}"}}', rnd.uniform(1e3, 1e9),
                rnd.uniform(1, 1e4))
            head = ""
    for direction in ("receive", "transmit"):
        for metric in ("bytes_total", "packets_total", "errs_total", "drop_total",
                       "fifo_total", "compressed_total", "multicast_total"):
            name = f"node_network_{direction}_{metric}"
            head = family(name, "counter", f"Network {direction} {metric}.")
            for device in ("eth0", "eth1", "bond0", "lo", "docker0"):
                add(head, f'{name}{{device="{device}"}}', rnd.uniform(1e3, 1e12),
                    rnd.uniform(0, 1e5))
                head = ""
    for metric in ("MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached",
                   "Active", "Inactive", "Active_anon", "Inactive_anon", "Active_file",
                   "Inactive_file", "Unevictable", "Mlocked", "SwapTotal", "SwapFree", "Dirty",
                   "Writeback", "AnonPages", "Mapped", "Shmem", "KReclaimable", "Slab",
                   "SReclaimable", "SUnreclaim", "KernelStack", "PageTables", "NFS_Unstable",
                   "Bounce", "WritebackTmp", "CommitLimit", "Committed_AS", "VmallocTotal",
                   "VmallocUsed", "VmallocChunk", "Percpu", "HardwareCorrupted",
                   "AnonHugePages", "ShmemHugePages", "ShmemPmdMapped", "FileHugePages",
                   "FilePmdMapped", "HugePages_Total", "HugePages_Free", "HugePages_Rsvd",
                   "HugePages_Surp", "Hugepagesize", "Hugetlb", "DirectMap4k", "DirectMap2M",
                   "DirectMap1G"):
        name = f"node_memory_{metric}_bytes"
        add(family(name, "gauge", f"Memory {metric}."), name, rnd.uniform(1e6, 1e11),
            rnd.uniform(-1e6, 1e6))
    for name in ("node_load1", "node_load5", "node_load15", "node_procs_running",
                 "node_procs_blocked", "node_context_switches_total", "node_intr_total",
                 "node_forks_total", "node_boot_time_seconds", "node_time_seconds",
                 "node_entropy_available_bits", "node_filefd_allocated", "node_filefd_maximum"):
        add(family(name, "gauge", name), name, rnd.uniform(0, 100), rnd.uniform(-0.5, 0.5))
    for cpu in range(16):
        for metric in ("running_seconds_total", "waiting_seconds_total", "timeslices_total"):
            name = f"node_schedstat_{metric}"
            add(family(name, "counter", name) if cpu == 0 else "",
                f'{name}{{cpu="{cpu}"}}', rnd.uniform(1e3, 1e6), rnd.uniform(0, 10))
    for cpu in range(16):
        for metric in ("processed_total", "dropped_total", "times_squeezed_total"):
            name = f"node_softnet_{metric}"
            add(family(name, "counter", name) if cpu == 0 else "",
                f'{name}{{cpu="{cpu}"}}', rnd.uniform(1e3, 1e6), rnd.uniform(0, 10))
    for zone in range(12):
        add(family("node_hwmon_temp_celsius", "gauge", "Temperature.") if zone == 0 else "",
            f'node_hwmon_temp_celsius{{chip="platform_coretemp_0",sensor="temp{zone + 1}"}}',
            rnd.uniform(30, 70), rnd.uniform(-1, 1))
    head = family("go_gc_duration_seconds", "summary", "GC pause durations.")
    for quantile in ("0", "0.25", "0.5", "0.75", "1"):
        add(head, f'go_gc_duration_seconds{{quantile="{quantile}"}}', rnd.uniform(1e-5, 1e-3),
            0.0)
        head = ""
    add("", "go_gc_duration_seconds_sum", 1.0, 0.001)
    add("", "go_gc_duration_seconds_count", 100.0, 1.0)
    for name in ("go_goroutines", "go_threads", "go_memstats_alloc_bytes",
                 "go_memstats_heap_objects", "process_cpu_seconds_total",
                 "process_resident_memory_bytes", "process_open_fds"):
        add(family(name, "gauge", name), name, rnd.uniform(1, 1e7), rnd.uniform(0, 100))
    head = family("node_scrape_collector_duration_seconds", "gauge", "Collector durations.")
    for collector in ("cpu", "diskstats", "filesystem", "loadavg", "meminfo", "netdev",
                      "schedstat", "softnet", "hwmon", "time", "uname", "vmstat", "stat",
                      "filefd", "entropy", "textfile", "systemd", "netstat", "sockstat",
                      "pressure", "nfs", "xfs", "zfs", "mdadm", "edac", "thermal_zone",
                      "powersupplyclass", "rapl", "cpufreq", "bonding"):
        for metric, start in (("duration_seconds", 0.001), ("success", 1.0)):
            name = f"node_scrape_collector_{metric}"
            add(family(name, "gauge", name) if collector == "cpu" and metric == "success"
                else "", f'{name}{{collector="{collector}"}}', start, 0.0)
    # each family's lines together, its HELP/TYPE first (a stable sort keeps that order)
    rows.sort(key=lambda row: row[1].split("{")[0])
    return rows


def serve(count: int) -> None:
    """Serve ``count`` targets, one port each; print the ports as JSON, run until killed."""
    templates = [page_template(i) for i in range(count)]
    scrapes = [0] * count

    def handler_for(index: int) -> type[BaseHTTPRequestHandler]:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                scrapes[index] += 1
                n = scrapes[index]
                lines = []
                for head, series, start, step in templates[index]:
                    if head:
                        lines.append(head)
                    value = start + step * n + (math.sin(n + start) if step else 0.0)
                    lines.append(f"{series} {value:.6g}\n")
                body = "".join(lines).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    ports = []
    for index in range(count):
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(index))
        server.daemon_threads = True
        ports.append(server.server_address[1])
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps(ports), flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


def start_targets(count: int) -> tuple[subprocess.Popen[str], list[str]]:
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(count)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    ports = json.loads(proc.stdout.readline())
    return proc, [f"127.0.0.1:{p}" for p in ports]


# --- (a) CareOps --------------------------------------------------------------------------
def setup_django(database_url: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careops.settings")
    os.environ["CAREOPS_VAR_DIR"] = tempfile.mkdtemp(prefix="careops-bench-")
    os.environ["CAREOPS_METRICS_BACKEND"] = "embedded"
    os.environ["CAREOPS_LOG_LEVEL"] = "WARNING"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def bench_careops(targets: list[str], seconds: float, workers: int) -> dict[str, float]:
    from django.utils import timezone

    from careops.cmdb.models import Host
    from careops.monitoring.models import Check
    from careops.monitoring.models import Sample as SampleRow
    from careops.monitoring.scheduler import Collector
    from careops.monitoring.storage.embedded import EmbeddedStore

    for index, target in enumerate(targets):
        Host.objects.create(name=f"bench {index}", code=f"BENCH-{index:04d}",
                            hostname=f"bench{index}", os_family="linux",
                            monitoring_endpoints=[{"job": "node", "target": target}])
    assert Check.objects.count() == len(targets)
    collector = Collector(workers=workers, store=EmbeddedStore())
    collector.catch_up()  # once, as at a collector's start: not part of the rounds
    collector.run_once()  # warm-up: creates the series
    collector.outcomes.clear()
    rounds = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        Check.objects.update(next_run_at=timezone.now())
        collector.run_once()
        rounds += 1
    elapsed = time.perf_counter() - started
    collector.close()
    stored = sum(o.samples for o in collector.outcomes)
    bad = [o for o in collector.outcomes if o.status != "ok"]
    if bad:
        print(f"  warning: {len(bad)} scrapes not ok, e.g. {bad[0].error}")
    return {"samples": stored, "seconds": elapsed, "rounds": rounds,
            "rate": stored / elapsed, "rows": SampleRow.objects.count()}


def breakdown(target: str) -> dict[str, float]:
    """Where the time of one page goes: fetch, parse, store (each alone, repeated)."""
    from careops.logic import promtext
    from careops.monitoring.storage.embedded import EmbeddedStore

    url = f"http://{target}/metrics"
    repeat = 30
    started = time.perf_counter()
    for _ in range(repeat):
        with urllib.request.urlopen(url, timeout=10) as answer:
            text = answer.read().decode()
    fetch = (time.perf_counter() - started) / repeat
    started = time.perf_counter()
    for _ in range(repeat):
        samples = list(promtext.samples(text))
    parse = (time.perf_counter() - started) / repeat
    store = EmbeddedStore()
    extra = {"job": "bench", "instance": target, "careops_item": "0", "careops_check": "0"}
    store.write(samples, default_ts_ms=0, extra_labels=extra)
    started = time.perf_counter()
    for i in range(repeat):
        store.write(samples, default_ts_ms=1000 * (i + 1), extra_labels=extra)
    write = (time.perf_counter() - started) / repeat
    n = len(samples)
    return {"samples": n, "fetch_us": fetch / n * 1e6, "parse_us": parse / n * 1e6,
            "store_us": write / n * 1e6}


# --- (b) Prometheus ---------------------------------------------------------------------
def appended(port: int) -> float:
    from careops.logic import promtext

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics",
                                timeout=10) as answer:
        text = answer.read().decode()
    found = [s.value for s in promtext.samples(text)
             if s.name == "prometheus_tsdb_head_samples_appended_total"]
    if found:
        return sum(found)
    raise RuntimeError("Prometheus did not report prometheus_tsdb_head_samples_appended_total")


def bench_prometheus(targets: list[str], seconds: float, interval: str) -> dict[str, float]:
    binary = shutil.which("prometheus")
    if binary is None:
        raise SystemExit("prometheus is not installed (apt-get install prometheus)")
    root = Path(tempfile.mkdtemp(prefix="careops-bench-prom-"))
    config = root / "prometheus.yml"
    config.write_text(
        f"global:\n  scrape_interval: {interval}\n  scrape_timeout: {interval}\n"
        "scrape_configs:\n  - job_name: node\n    static_configs:\n"
        f"      - targets: {json.dumps(targets)}\n")
    port = free_port()
    proc = subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.tsdb.path={root / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/-/ready", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("Prometheus did not become ready") from None
                time.sleep(0.2)
        # Prometheus applies discovered targets after a few seconds; the first scrapes
        # create the series: neither is counted.
        while True:
            try:
                appended(port)
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        time.sleep(3)
        first, t0 = appended(port), time.perf_counter()
        time.sleep(seconds)
        last, t1 = appended(port), time.perf_counter()
    finally:
        stop(proc)
        shutil.rmtree(root, ignore_errors=True)
    return {"samples": last - first, "seconds": t1 - t0, "rate": (last - first) / (t1 - t0)}


def seconds_of(duration: str) -> float:
    """'1s', '200ms', '2m' → seconds (the forms a scrape_interval takes here)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)", duration)
    if match is None:
        raise SystemExit(f"--prometheus-interval: not a duration like 1s or 200ms: {duration}")
    return float(match[1]) * {"ms": 0.001, "s": 1.0, "m": 60.0}[match[2]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--targets", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--database-url", default=None,
                        help="an empty database to use instead of a fresh SQLite file")
    parser.add_argument("--skip-prometheus", action="store_true")
    parser.add_argument("--prometheus-interval", default="1s",
                        help="Prometheus' scrape_interval (1s by default; shorter, e.g. 200ms, "
                             "offers more than one core can take, to find its ceiling)")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    print("load before:", subprocess.run(["uptime"], capture_output=True, text=True,
                                         check=False).stdout.strip())
    setup_django(args.database_url)
    from django.db import connection

    proc, targets = start_targets(args.targets)
    try:
        per_page = len(page_template(0))
        print(f"{args.targets} targets × {per_page} samples per page "
              f"(+3 up/scrape_* per scrape), database {connection.vendor}")
        ours = bench_careops(targets, args.seconds, args.workers)
        print(f"(a) CareOps embedded: {ours['rate']:,.0f} samples/s "
              f"({ours['samples']:,.0f} samples in {ours['seconds']:.1f} s, "
              f"{ours['rounds']:.0f} rounds of {args.targets} scrapes, "
              f"{args.workers} workers)")
        parts = breakdown(targets[0])
        print(f"    per sample: fetch {parts['fetch_us']:.1f} µs, parse {parts['parse_us']:.1f} "
              f"µs, store {parts['store_us']:.1f} µs (each alone, one page of "
              f"{parts['samples']:.0f})")
        print("load between:", subprocess.run(["uptime"], capture_output=True, text=True,
                                              check=False).stdout.strip())
        if args.skip_prometheus:
            return
        theirs = bench_prometheus(targets, args.seconds, args.prometheus_interval)
        offered = args.targets * (per_page + 5) / seconds_of(args.prometheus_interval)
        print(f"(b) Prometheus:       {theirs['rate']:,.0f} samples/s "
              f"({theirs['samples']:,.0f} in {theirs['seconds']:.1f} s; scrape_interval "
              f"{args.prometheus_interval} offers at most {offered:,.0f} samples/s)")
        print(f"ratio CareOps / Prometheus: {ours['rate'] / theirs['rate']:.2f}")
        print("goal: ≥ 50,000 samples/s embedded:",
              "met" if ours["rate"] >= 50_000 else "NOT met")
    finally:
        stop(proc)
        print("load after:", subprocess.run(["uptime"], capture_output=True, text=True,
                                            check=False).stdout.strip())


if __name__ == "__main__":
    main()
