"""Cross-check of careops.logic.promql against a real engine: Debian's VictoriaMetrics,
started by the test on a free port in a temporary directory.

The same synthetic series go into VictoriaMetrics (``/api/v1/import``) and into a
``select`` function; each expression runs through VictoriaMetrics' ``/api/v1/query_range``
and through ``evaluate_range`` at the same steps, and the results must agree.

Where MetricsQL and PromQL differ, and so what is left out of EXPRESSIONS (both were
tried on these series and disagree):

- ``rate``/``increase``/``delta`` of an irregular series: MetricsQL does not extrapolate
  to the window's edges and starts from the last sample *before* the window; PromQL
  extrapolates (our engine does as Prometheus). Both agree on a counter growing at a
  constant rate with evenly spaced samples, so ``rate``/``increase`` are checked on one.
- the lookback of instant selectors: MetricsQL derives it from the sample interval,
  PromQL uses a flat 5 minutes; we start VictoriaMetrics with ``-search.maxLookback=5m``
  and keep the series gapless over the query range, so the two agree here but would not
  past the end of a series.
- MetricsQL keeps ``__name__`` in places PromQL drops it and the other way round, so
  labels are compared without ``__name__`` (test_promql.py checks our names).
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from http.client import HTTPConnection
from pathlib import Path

import pytest

from careops.core.tests.processes import free_port
from careops.logic.metrics import Selector, Series
from careops.logic.promql import evaluate_range
from conftest import require_service

pytestmark = pytest.mark.slow

STEP_S = 60
SCRAPE_MS = 15_000

EXPRESSIONS = [
    "g",
    "g * 2 + 1",
    "100 * (1 - avail / size)",
    "sum by (job) (g)",
    "avg without (instance) (g)",
    "max(g) - min(g)",
    "count by (job) (g)",
    "g > 50",
    "g > bool 50",
    "avg_over_time(g[10m])",
    "max_over_time(g[10m]) - min_over_time(g[7m])",
    "sum_over_time(g[5m]) / count_over_time(g[5m])",
    "quantile_over_time(0.5, g[10m])",
    "rate(lin[5m])",
    "irate(lin[2m])",
    "clamp_max(abs(g - 50), 20) + round(g) - ceil(g) + floor(g)",
    "g / on(instance) group_left size",
    "g and on(instance) (avail > 50)",
    "g unless on(instance) (avail > 50)",
    "topk(2, g)",
    "bottomk(1, g) by (job)",
    "time() - 1000",
    "increase(lin[5m])",
    "sum(rate(lin[5m])) by (job)",
    "deriv(g[10m])",
    "predict_linear(g[30m], 3600)",
    "last_over_time(g[5m])",
    "timestamp(g)",
    "absent(nope)",
    "scalar(max(g)) + vector(1)",
    "-g % 7 + g ^ 0.5",
    "g == bool on(instance) group_left avail",
]


def http(base: str, path: str, body: bytes | None = None, timeout: float = 30) -> bytes:
    host, port = base.rsplit(":", 1)
    conn = HTTPConnection(host.removeprefix("http://"), int(port), timeout=timeout)
    try:
        conn.request("POST" if body is not None else "GET", path, body=body)
        resp = conn.getresponse()
        data = resp.read()
        assert resp.status < 300, (resp.status, data[:200])
        return data
    finally:
        conn.close()


@pytest.fixture(scope="module")
def victoria(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_service("victoriametrics")
    port = free_port()
    data = tmp_path_factory.mktemp("vm")
    proc = subprocess.Popen(
        ["victoria-metrics", f"-storageDataPath={data}", f"-httpListenAddr=127.0.0.1:{port}",
         "-search.maxLookback=5m", "-search.disableCache", "-search.latencyOffset=0s",
         "-retentionPeriod=1y", "-loggerLevel=ERROR"],
        stdout=subprocess.DEVNULL, stderr=(Path(data) / "vm.log").open("w"))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if http(base, "/health", timeout=1).strip() == b"OK":
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("VictoriaMetrics did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def synthetic(end_ms: int) -> list[Series]:
    rnd = random.Random(5)
    start = end_ms - 4 * 3_600_000
    times = list(range(start, end_ms + 1, SCRAPE_MS))
    out = []
    for job, instances in (("his", ("a", "b")), ("lis", ("c",))):
        for inst in instances:
            level = rnd.uniform(20, 80)
            pts = []
            for t in times:
                level = min(100.0, max(0.0, level + rnd.uniform(-3, 3)))
                pts.append((t, round(level, 3)))
            out.append(Series({"__name__": "g", "job": job, "instance": inst}, pts))
            out.append(Series({"__name__": "avail", "instance": inst},
                              [(t, rnd.uniform(10, 90)) for t in times]))
            out.append(Series({"__name__": "size", "instance": inst},
                              [(t, 100.0) for t in times]))
            rate = rnd.choice([0.5, 2.0, 10.0])
            out.append(Series({"__name__": "lin", "job": job, "instance": inst},
                              [(t, rate * (t - start) / 1000) for t in times]))
    return out


def vm_import(base: str, series: list[Series]) -> None:
    lines = [json.dumps({"metric": s.labels, "values": [v for _, v in s.points],
                         "timestamps": [t for t, _ in s.points]}) for s in series]
    http(base, "/api/v1/import", "\n".join(lines).encode())
    http(base, "/internal/force_flush")
    for _ in range(100):  # until every series is searchable
        query = urllib.parse.urlencode({"match[]": '{__name__=~".+"}'})
        if len(json.loads(http(base, f"/api/v1/series?{query}"))["data"]) >= len(series):
            return
        time.sleep(0.1)
    pytest.fail("VictoriaMetrics did not index the imported series")


def vm_query_range(base: str, expr: str, start_s: int, end_s: int) -> dict[str, dict[int, float]]:
    query = urllib.parse.urlencode({"query": expr, "start": start_s, "end": end_s,
                                    "step": f"{STEP_S}s", "nocache": "1"})
    body = json.loads(http(base, f"/api/v1/query_range?{query}"))
    assert body["status"] == "success", body
    return {key(r["metric"]): {int(t * 1000): float(v) for t, v in r["values"]}
            for r in body["data"]["result"]}


def key(labels: dict[str, str]) -> str:
    return json.dumps({k: v for k, v in sorted(labels.items()) if k != "__name__"})


@pytest.mark.real_clock
def test_it_agrees_with_victoriametrics(victoria: str) -> None:
    now_s = int(time.time())
    end_s = now_s - now_s % STEP_S - 3600  # an hour ago, on a step
    series = synthetic(end_s * 1000)
    vm_import(victoria, series)

    def select(sel: Selector, start: int, end: int) -> list[Series]:
        return [Series(s.labels, [p for p in s.points if start <= p[0] <= end])
                for s in series if sel.matches(s.labels)]

    start_s = end_s - 2 * 3600
    disagreements = []
    for expr in EXPRESSIONS:
        theirs = vm_query_range(victoria, expr, start_s, end_s)
        ours = {key(s.labels): dict(s.points)
                for s in evaluate_range(expr, select, start_s * 1000, end_s * 1000,
                                        STEP_S * 1000)}
        assert ours, f"{expr}: our result is empty"
        if set(ours) != set(theirs):
            disagreements.append(f"{expr}: series {sorted(ours)} vs {sorted(theirs)}")
            continue
        for k, points in ours.items():
            if set(points) != set(theirs[k]):
                disagreements.append(f"{expr} {k}: steps differ "
                                     f"({len(points)} vs {len(theirs[k])})")
                continue
            for t, v in points.items():
                w = theirs[k][t]
                if not (math.isclose(v, w, rel_tol=1e-6, abs_tol=1e-9)
                        or (math.isnan(v) and math.isnan(w))):
                    disagreements.append(f"{expr} {k} at {t}: {v} vs {w}")
                    break
    assert not disagreements, "\n".join(disagreements)
