"""Scrape throughput: HTTP + gzip + Prometheus text parsing, samples per second.

    .venv/bin/python bench/collect_scrape.py                   # 8 targets x 5,000 samples
    .venv/bin/python bench/collect_scrape.py --targets 4 --samples 20000 --rounds 5

Synthetic node_exporter-like pages (families of gauges and counters with 2-4 labels,
HELP/TYPE lines) are served as static files by ``python -m http.server`` in a separate
process. Measured in one run:

- (a) ``careops.monitoring.collectors.run`` on every target, 4 threads, ``--rounds``
  times: samples per second over the whole batch (the collector's end-to-end path);
- (a1) the same one target at a time: per-scrape samples per second (median);
- (b) the same with the parser's fast path off (the full parser only): the gain of the
  fast path;
- (c) Prometheus (Debian package) scraping the same targets: its own
  ``scrape_duration_seconds`` (fetch, parse, append to its head block) per scrape, as
  samples per second, and the ratio (a1)/(c).

The storage of the samples is not in this figure (see the store's ingestion benchmark).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from careops.core.tests.processes import free_port  # noqa: E402 (after the sys.path line above)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careops.settings")


def wait_port(port: int, seconds: float = 15) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port}")


def page(samples: int, seed: int) -> str:
    """A node_exporter-like page of about ``samples`` samples."""
    lines: list[str] = []
    count = 0
    family = 0
    while count < samples:
        name = f"bench_{seed}_metric_{family}"
        kind = "counter" if family % 2 else "gauge"
        full = name + ("_total" if kind == "counter" else "")
        lines.append(f"# HELP {full} Synthetic metric {family} of the benchmark.")
        lines.append(f"# TYPE {full} {kind}")
        for i in range(min(50, samples - count)):
            labels = f'cpu="{i % 8}",mode="m{i % 5}",device="sd{i % 26}"'
            if family % 3 == 0:
                labels += f',mountpoint="/data/{i}"'
            lines.append(f"{full}{{{labels}}} {i * 1.5 + family:.6g}")
            count += 1
        family += 1
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--targets", type=int, default=8)
    parser.add_argument("--samples", type=int, default=5000, help="samples per target")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--prometheus-seconds", type=float, default=12)
    args = parser.parse_args()

    import django

    django.setup()
    from careops.logic import promtext
    from careops.monitoring.collectors import CheckSpec, run

    workdir = Path(tempfile.mkdtemp(prefix="careops-bench-scrape-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        site = workdir / "site"
        site.mkdir()
        for t in range(args.targets):
            (site / f"t{t}").write_text(page(args.samples, t))
        port = free_port()
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
             "--directory", str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_port(port)
        specs = [CheckSpec("scrape", f"127.0.0.1:{port}", {"path": f"/t{t}"}, timeout_s=30)
                 for t in range(args.targets)]

        def batch() -> tuple[int, float]:
            started = time.perf_counter()
            with ThreadPoolExecutor(args.threads) as pool:
                results = list(pool.map(run, specs * args.rounds))
            elapsed = time.perf_counter() - started
            bad = [r for r in results if r.status != "ok"]
            if bad:
                raise SystemExit(f"scrape failed: {bad[0].status} {bad[0].error}")
            return sum(len(r.samples) for r in results), elapsed

        def single() -> float:
            rates = []
            for spec in specs * 2:
                started = time.perf_counter()
                result = run(spec)
                rates.append(len(result.samples) / (time.perf_counter() - started))
            return statistics.median(rates)

        run(specs[0])  # warm up
        total, elapsed = batch()
        fast_batch = total / elapsed
        fast_single = single()
        original = promtext._FAST_LINE_RE
        promtext._FAST_LINE_RE = promtext.re.compile(r"(?!)")  # the full parser only
        try:
            total_slow, elapsed_slow = batch()
            slow_single = single()
        finally:
            promtext._FAST_LINE_RE = original
        slow_batch = total_slow / elapsed_slow

        print(f"targets {args.targets} x {args.samples} samples, {args.rounds} rounds, "
              f"{args.threads} threads, {os.cpu_count()} CPUs")
        print(f"(a)  careops scrape, batch:         {fast_batch:>10,.0f} samples/s")
        print(f"(a1) careops scrape, one at a time: {fast_single:>10,.0f} samples/s")
        print(f"(b)  full parser only, batch:       {slow_batch:>10,.0f} samples/s "
              f"(fast path gain {fast_batch / slow_batch:.2f}x)")
        print(f"(b1) full parser only, one at a time:{slow_single:>9,.0f} samples/s")

        prometheus = shutil.which("prometheus")
        if prometheus is None:
            print("(c)  prometheus not installed: no peer figure")
            return 0 if fast_batch >= 50_000 else 1
        prom_port = free_port()
        jobs = "\n".join(
            f"  - job_name: t{t}\n    metrics_path: /t{t}\n    static_configs:\n"
            f"      - targets: ['127.0.0.1:{port}']" for t in range(args.targets))
        config = workdir / "prometheus.yml"
        config.write_text("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                          f"scrape_configs:\n{jobs}\n")
        processes.append(subprocess.Popen(
            [prometheus, f"--config.file={config}", f"--storage.tsdb.path={workdir / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{prom_port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_port(prom_port)
        time.sleep(args.prometheus_seconds)
        window = f"{int(args.prometheus_seconds) - 2}s"
        values = {}
        for name in ("scrape_duration_seconds", "scrape_samples_scraped"):
            url = (f"http://127.0.0.1:{prom_port}/api/v1/query?query=" + urllib.parse.quote(
                f"avg(avg_over_time({name}[{window}]))"))
            with urllib.request.urlopen(url, timeout=10) as answer:
                data = json.load(answer)["data"]["result"]
            values[name] = float(data[0]["value"][1]) if data else float("nan")
        prom_rate = values["scrape_samples_scraped"] / values["scrape_duration_seconds"]
        print(f"(c)  prometheus, per scrape:        {prom_rate:>10,.0f} samples/s "
              f"({values['scrape_duration_seconds'] * 1000:.1f} ms for "
              f"{values['scrape_samples_scraped']:.0f} samples)")
        print(f"ratio (a1)/(c): {fast_single / prom_rate:.2f}")
        return 0 if fast_batch >= 50_000 else 1
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
