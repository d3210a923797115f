"""The scrape collector against a real HTTP server thread and a real node_exporter."""

from __future__ import annotations

import shutil
import socketserver
import subprocess
import time
from collections.abc import Iterator
from typing import ClassVar

import pytest

from careops.monitoring.collectors import CheckSpec, run
from careops.monitoring.collectors.base import failure_samples
from careops.monitoring.tests import collect_peers
from careops.monitoring.tests.collect_peers import HttpPeer, SilentPeer, free_port, wait_for_port

english_reasons = collect_peers.english_reasons
http_peer = collect_peers.http_peer
silent_peer = collect_peers.silent_peer

NODE_TEXT = """\
# HELP node_load1 1m load average.
# TYPE node_load1 gauge
node_load1 0.42
# HELP node_filesystem_avail_bytes Filesystem space available to non-root users in bytes.
# TYPE node_filesystem_avail_bytes gauge
node_filesystem_avail_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 1.2e+10
node_filesystem_avail_bytes{device="/dev/sdb1",fstype="xfs",mountpoint="/data"} 3.5e+11
# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.
# TYPE node_cpu_seconds_total counter
node_cpu_seconds_total{cpu="0",mode="idle"} 12345.67 1700000000000
"""


def values(result: object) -> dict[str, float]:
    return {s.name: s.value for s in result.samples}  # type: ignore[attr-defined]


def test_it_reads_the_samples_of_a_metrics_page(http_peer: HttpPeer) -> None:
    http_peer.text("/metrics", NODE_TEXT)
    result = run(CheckSpec("scrape", http_peer.target, {}))
    assert (result.status, result.error) == ("ok", "")
    by_mount = {s.labels.get("mountpoint"): s.value for s in result.samples
                if s.name == "node_filesystem_avail_bytes"}
    assert by_mount == {"/": 1.2e10, "/data": 3.5e11}
    cpu = next(s for s in result.samples if s.name == "node_cpu_seconds_total")
    assert cpu.timestamp_ms == 1700000000000  # the exporter's own timestamp is kept
    got = values(result)
    assert got["up"] == 1 and got["scrape_samples_scraped"] == 4
    assert got["scrape_duration_seconds"] > 0
    assert http_peer.requests[0]["headers"]["Accept-Encoding"] == "gzip"


def test_it_accepts_a_gzipped_body_a_url_and_a_path(http_peer: HttpPeer) -> None:
    http_peer.text("/custom/metrics", NODE_TEXT, gzipped=True)
    by_url = run(CheckSpec("scrape", http_peer.url("/custom/metrics?x=1"), {}))
    by_path = run(CheckSpec("scrape", http_peer.target, {"path": "/custom/metrics"}))
    assert by_url.status == by_path.status == "ok"
    assert values(by_url)["node_load1"] == values(by_path)["node_load1"] == 0.42
    assert http_peer.requests[0]["path"] == "/custom/metrics?x=1"


def test_it_sends_the_credential_as_basic_authentication(http_peer: HttpPeer) -> None:
    from careops.monitoring.collectors import Credential

    http_peer.text("/metrics", NODE_TEXT)
    result = run(CheckSpec("scrape", http_peer.target, {},
                           credential=Credential("prom", "s3cret")))
    assert result.status == "ok"
    assert http_peer.requests[0]["headers"]["Authorization"] == "Basic cHJvbTpzM2NyZXQ="
    assert "s3cret" not in repr(Credential("prom", "s3cret", "KEY")) + repr(
        CheckSpec("scrape", "x", credential=Credential("prom", "s3cret")))


def test_it_rejects_garbage_naming_the_line_but_not_its_text(http_peer: HttpPeer) -> None:
    http_peer.text("/metrics", "node_load1 0.5\n<html><body>secret page</body></html>\n")
    result = run(CheckSpec("scrape", http_peer.target, {}))
    assert result.status == "rejected"
    assert "line 2" in result.error and "secret" not in result.error
    assert values(result) == {"up": 0, "scrape_duration_seconds": pytest.approx(
        values(result)["scrape_duration_seconds"])}


def test_it_rejects_a_body_that_is_not_utf8(http_peer: HttpPeer) -> None:
    http_peer.text("/metrics", b"node_load1 \xff\xfe\n")
    result = run(CheckSpec("scrape", http_peer.target, {}))
    assert (result.status, result.error) == ("rejected", "The body is not UTF-8 text.")


def test_it_stops_reading_a_huge_streamed_body_at_the_limit(
        http_peer: HttpPeer, settings: object) -> None:
    settings.CAREOPS_SCRAPE_MAX_BYTES = 1024 * 1024  # type: ignore[attr-defined]
    http_peer.endless("/metrics")
    started = time.monotonic()
    result = run(CheckSpec("scrape", http_peer.target, {}, timeout_s=20))
    assert (result.status, result.error) == ("rejected", "body larger than 1048576 bytes")
    assert time.monotonic() - started < 20  # stopped at the limit, not at the timeout


def test_it_rejects_a_gzip_bomb_by_its_inflated_size(http_peer: HttpPeer) -> None:
    http_peer.text("/metrics", b"0" * (20 * 1024 * 1024), gzipped=True)
    result = run(CheckSpec("scrape", http_peer.target, {"max_bytes": 100_000}))
    assert (result.status, result.error) == ("rejected", "body larger than 100000 bytes")


def test_it_rejects_a_page_with_more_samples_than_the_limit(http_peer: HttpPeer) -> None:
    http_peer.text("/metrics", "".join(f"m{{i=\"{i}\"}} {i}\n" for i in range(101)))
    assert run(CheckSpec("scrape", http_peer.target, {"sample_limit": 101})).status == "ok"
    result = run(CheckSpec("scrape", http_peer.target, {"sample_limit": 100}))
    assert (result.status, result.error) == ("rejected", "More than 100 samples (sample_limit).")


def test_it_times_out_on_a_server_that_never_answers(silent_peer: SilentPeer) -> None:
    started = time.monotonic()
    result = run(CheckSpec("scrape", silent_peer.target, {}, timeout_s=1))
    assert (result.status, result.error) == ("timeout", "No answer within 1 s.")
    assert time.monotonic() - started < 10
    assert values(result)["up"] == 0


def test_it_times_out_on_a_server_that_reads_the_request_and_sleeps(
        http_peer: HttpPeer) -> None:
    http_peer.silent("/metrics")
    result = run(CheckSpec("scrape", http_peer.target, {}, timeout_s=0.5))
    assert result.status == "timeout"


def test_it_does_not_follow_redirects(http_peer: HttpPeer) -> None:
    http_peer.text("/metrics", "", status=302, headers={"Location": "http://10.0.0.1/"})
    http_peer.text("/down", "oops", status=503)
    result = run(CheckSpec("scrape", http_peer.target, {}))
    assert (result.status, result.error) == (
        "failed", "HTTP 302: a redirect, which is not followed.")
    assert len(http_peer.requests) == 1
    assert run(CheckSpec("scrape", http_peer.url("/down"), {})).error == "HTTP 503"


def test_it_fails_on_a_closed_port_and_bad_targets() -> None:
    closed = run(CheckSpec("scrape", f"127.0.0.1:{free_port()}", {}))
    assert closed.status == "failed" and "refused the connection" in closed.error
    assert values(closed)["up"] == 0
    assert run(CheckSpec("scrape", "-oProxy:80", {})).error == (
        "The target -oProxy:80 is not a host name or address.")
    assert run(CheckSpec("scrape", "ftp://x/metrics", {})).error == (
        "The URL must start with http:// or https://.")
    assert "credential" in run(CheckSpec("scrape", "http://u:p@h:1/", {})).error
    assert run(CheckSpec("scrape", "h:1", {"sample_limit": "many"})).error == (
        "Parameter sample_limit must be a whole number.")


def test_it_answers_an_unknown_kind_without_raising() -> None:
    result = run(CheckSpec("carrier-pigeon", "x", {}))
    assert (result.status, result.error, result.samples) == (
        "failed", "collector not available", [])


def test_the_failure_samples_follow_blackbox_and_prometheus() -> None:
    assert [s.name for s in failure_samples("ping", 1)] == [
        "probe_success", "probe_duration_seconds"]
    assert [s.name for s in failure_samples("scrape", 1)] == ["up", "scrape_duration_seconds"]
    assert [s.name for s in failure_samples("postgres", 1)] == ["pg_up"]


@pytest.fixture
def node_exporter() -> Iterator[str]:
    from conftest import require_service

    require_service("node_exporter")
    port = free_port()
    process = subprocess.Popen(
        [shutil.which("prometheus-node-exporter") or "/usr/bin/prometheus-node-exporter",
         f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, process, "node_exporter")
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.slow
def test_it_scrapes_a_real_node_exporter(node_exporter: str) -> None:
    result = run(CheckSpec("scrape", node_exporter, {}))
    assert (result.status, result.error) == ("ok", "")
    names = {s.name for s in result.samples}
    assert {"node_load1", "node_cpu_seconds_total", "node_memory_MemAvailable_bytes",
            "node_filesystem_avail_bytes", "up"} <= names
    assert len(result.samples) > 200


class Trickle(socketserver.BaseRequestHandler):
    """Answers one header byte every 0.1 s, forever: each read succeeds, none ends."""

    cut_off: ClassVar[list[float]] = []  # when the collector hung up, per connection

    def handle(self) -> None:
        self.request.recv(4096)
        started = time.monotonic()
        try:
            self.request.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            for _ in range(600):
                self.request.sendall(b"a")
                time.sleep(0.1)
        except OSError:
            Trickle.cut_off.append(time.monotonic() - started)


def test_a_peer_that_trickles_bytes_is_cut_off_at_the_deadline() -> None:
    for port in collect_peers.serve_tcp(Trickle):
        started = time.monotonic()
        result = run(CheckSpec("scrape", f"127.0.0.1:{port}", {}, timeout_s=1))
        assert (result.status, result.error) == ("timeout", "No answer within 1 s.")
        assert time.monotonic() - started < 10
        for _ in range(50):  # the collector closed its socket: the peer's writes fail
            if Trickle.cut_off:
                break
            time.sleep(0.1)
        assert Trickle.cut_off and Trickle.cut_off[0] < 10
