"""PromQL range evaluation: careops.logic.promql against VictoriaMetrics in the same run.

    .venv/bin/python bench/promql_eval.py                 # 20 file systems, 7 days, 1-min steps
    .venv/bin/python bench/promql_eval.py --scrape 15     # samples every 15 s instead of 60 s

Series: for each of N hosts, ``node_filesystem_avail_bytes`` and
``node_filesystem_size_bytes`` (one mount each) with a sample every ``--scrape`` seconds
over the last 7 days (random walk of the free space). Each expression is evaluated over
the 7 days at 1-minute steps (10,081 steps) by our evaluator (the fetch of raw points is
included: a dict lookup here) and by Debian's ``victoria-metrics`` started on a free port
in a temporary directory, after importing the same series; medians of 5 runs, and the
ratio ours / VictoriaMetrics. VictoriaMetrics' time includes the HTTP round trip and JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from http.client import HTTPConnection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from careops.logic.metrics import Selector, Series
from careops.logic.promql import evaluate_range

EXPRESSIONS = [
    "100 * (1 - node_filesystem_avail_bytes / node_filesystem_size_bytes)",
    "predict_linear(node_filesystem_avail_bytes[6h], 7 * 86400) < 0",
    "avg_over_time(node_filesystem_avail_bytes[1h])",
    "sum by (job) (node_filesystem_avail_bytes)",
]


def series(hosts: int, scrape_s: int, end_ms: int) -> list[Series]:
    rnd = random.Random(1)
    start = end_ms - 7 * 86_400_000 - 6 * 3_600_000
    times = range(start, end_ms + 1, scrape_s * 1000)
    out = []
    for i in range(hosts):
        labels = {"instance": f"srv{i:02}:9100", "job": "node", "mountpoint": "/data"}
        free = rnd.uniform(2e11, 8e11)
        avail = []
        for t in times:
            free = max(0.0, free + rnd.gauss(-2e5, 5e6))
            avail.append((t, free))
        out.append(Series({"__name__": "node_filesystem_avail_bytes", **labels}, avail))
        out.append(Series({"__name__": "node_filesystem_size_bytes", **labels},
                          [(t, 1e12) for t in times]))
    return out


def http(port: int, path: str, body: bytes | None = None) -> bytes:
    conn = HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("POST" if body is not None else "GET", path, body=body)
        resp = conn.getresponse()
        data = resp.read()
        if resp.status >= 300:
            raise RuntimeError(f"{path}: HTTP {resp.status}: {data[:200]!r}")
        return data
    finally:
        conn.close()


def start_vm(data_dir: str) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    proc = subprocess.Popen(
        ["victoria-metrics", f"-storageDataPath={data_dir}", f"-httpListenAddr=127.0.0.1:{port}",
         "-search.maxLookback=5m", "-search.disableCache", "-retentionPeriod=1y",
         "-loggerLevel=ERROR"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            if http(port, "/health").strip() == b"OK":
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.terminate()
    raise RuntimeError("VictoriaMetrics did not start")


def median_time(fn: object, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--scrape", type=int, default=60, help="seconds between samples")
    args = parser.parse_args()
    now_ms = int(time.time() * 1000)
    end_ms = now_ms - now_ms % 60_000 - 600_000
    start_ms = end_ms - 7 * 86_400_000
    data = series(args.hosts, args.scrape, end_ms)
    by_name: dict[str, list[Series]] = {}
    for s in data:
        by_name.setdefault(s.name, []).append(s)

    def select(sel: Selector, start: int, end: int) -> list[Series]:
        return [s for s in by_name.get(sel.name or "", []) if sel.matches(s.labels)]

    samples = sum(len(s.points) for s in data)
    print(f"{len(data)} series, {samples} samples ({args.scrape} s apart), 7 days at 1-min "
          f"steps ({(end_ms - start_ms) // 60_000 + 1} steps)")
    vm = shutil.which("victoria-metrics")
    tmp = tempfile.mkdtemp(prefix="bench-vm-")
    proc = port = None
    try:
        if vm:
            proc, port = start_vm(tmp)
            lines = "\n".join(json.dumps({"metric": s.labels, "values": [v for _, v in s.points],
                                          "timestamps": [t for t, _ in s.points]})
                              for s in data)
            http(port, "/api/v1/import", lines.encode())
            http(port, "/internal/force_flush")
            time.sleep(1)
        print(f"{'expression':70} {'ours s':>8} {'VM s':>8} {'ratio':>6}")
        for expr in EXPRESSIONS:
            ours = median_time(lambda e=expr: evaluate_range(e, select, start_ms, end_ms,
                                                             60_000))
            theirs = None
            if port is not None:
                query = urllib.parse.urlencode({"query": expr, "start": start_ms / 1000,
                                                "end": end_ms / 1000, "step": "60s",
                                                "nocache": "1"})
                theirs = median_time(lambda q=query: http(port, f"/api/v1/query_range?{q}"))
            ratio = f"{ours / theirs:6.2f}" if theirs else "     -"
            vm_text = f"{theirs:8.3f}" if theirs else "       -"
            print(f"{expr[:70]:70} {ours:8.3f} {vm_text} {ratio}")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
