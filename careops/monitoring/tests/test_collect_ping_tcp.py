"""The ping and tcp probes: the system's ping against loopback and an address nothing
answers, and TCP against real listeners started in the test."""

from __future__ import annotations

import shutil
import socketserver
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careops.monitoring.collectors import CheckSpec, run
from careops.monitoring.collectors.ping import parse_ping_output
from careops.monitoring.tests import collect_peers
from careops.monitoring.tests.collect_peers import SilentPeer, free_port, serve_tcp

english_reasons = collect_peers.english_reasons
silent_peer = collect_peers.silent_peer

# Class E: reserved, routed nowhere; nothing answers it.
NOBODY = "240.0.0.1"


def values(result: object) -> dict[str, float]:
    return {s.name: s.value for s in result.samples}  # type: ignore[attr-defined]


@pytest.fixture
def need_ping() -> None:
    if shutil.which("ping") is None:
        pytest.skip("iputils-ping is not installed (scripts/setup.sh installs it)")


def test_it_pings_loopback(need_ping: None) -> None:
    result = run(CheckSpec("ping", "127.0.0.1", {"count": 2}))
    assert (result.status, result.error) == ("ok", "")
    got = values(result)
    assert got["probe_success"] == 1 and got["probe_icmp_packet_loss_ratio"] == 0
    assert 0 < got["probe_icmp_duration_seconds"] < 1
    rtt = next(s for s in result.samples if s.name == "probe_icmp_duration_seconds")
    assert rtt.labels == {"phase": "rtt"}


def test_a_host_that_does_not_answer_is_a_failure_with_samples(need_ping: None) -> None:
    result = run(CheckSpec("ping", NOBODY, {"count": 1}, timeout_s=5))
    assert result.status == "failed"
    got = values(result)
    assert got["probe_success"] == 0 and got["probe_icmp_packet_loss_ratio"] == 1


def test_it_refuses_a_target_that_looks_like_an_option(need_ping: None) -> None:
    result = run(CheckSpec("ping", "-f", {}))
    assert (result.status, result.error) == (
        "failed", "The target -f is not a host name or address.")
    assert run(CheckSpec("ping", "a;reboot", {})).status == "failed"
    assert run(CheckSpec("ping", "no-such-host.invalid", {"count": 1})).error == (
        "Cannot resolve no-such-host.invalid.")


def test_a_tcp_ping_counts_a_refused_connection_as_an_answer() -> None:
    result = run(CheckSpec("ping", "127.0.0.1", {"tcp_port": free_port()}))
    assert (result.status, values(result)["probe_success"]) == ("ok", 1)
    assert values(result)["probe_tcp_ping"] == 1


def test_it_pings_over_tcp_when_icmp_cannot_be_sent(
        monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no ping binary on this PATH
    refused = run(CheckSpec("ping", "127.0.0.1", {}))
    assert (refused.status, refused.error) == ("failed", (
        "ICMP cannot be sent from this collector; set tcp_port or tcp_fallback_port to "
        "ping over TCP."))
    assert values(refused)["probe_success"] == 0
    fallback = run(CheckSpec("ping", "127.0.0.1", {"tcp_fallback_port": free_port()}))
    assert (fallback.status, values(fallback)["probe_tcp_ping"]) == ("ok", 1)


@given(st.integers(1, 1000), st.data())
def test_the_ping_summary_parser_reads_counts_and_rtt(sent: int, data: st.DataObject) -> None:
    received = data.draw(st.integers(0, sent))
    avg = data.draw(st.floats(0.001, 5000, allow_nan=False).map(lambda f: round(f, 3)))
    text = (f"PING h (10.0.0.1) 56(84) bytes of data.\n\n--- h ping statistics ---\n"
            f"{sent} packets transmitted, {received} received, 0% packet loss, time 4ms\n"
            f"rtt min/avg/max/mdev = 0.001/{avg:.3f}/9999.000/0.1 ms\n")
    stats = parse_ping_output(text)
    assert stats is not None
    assert (stats.transmitted, stats.received) == (sent, received)
    assert stats.rtt_avg_s == pytest.approx(avg / 1000)
    assert 0 <= stats.loss_ratio <= 1
    assert parse_ping_output("ping: sendmsg: Operation not permitted") is None


class Banner(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.sendall(b"220 pacs.example ESMTP ready\r\n")
        line = self.request.recv(100)
        if line.startswith(b"PING"):
            self.request.sendall(b"PONG\r\n")


@pytest.fixture
def banner_port() -> Iterator[int]:
    yield from serve_tcp(Banner)


def test_it_connects_and_matches_a_banner(banner_port: int) -> None:
    plain = run(CheckSpec("tcp", f"127.0.0.1:{banner_port}", {}))
    assert (plain.status, values(plain)["probe_success"]) == ("ok", 1)
    banner = run(CheckSpec("tcp", f"127.0.0.1:{banner_port}", {"expect": "ESMTP"}))
    assert (banner.status, values(banner)["probe_tcp_banner_matched"]) == ("ok", 1)
    answer = run(CheckSpec("tcp", f"127.0.0.1:{banner_port}",
                           {"send": "PING\r\n", "expect": "PONG"}))
    assert answer.status == "ok"
    wrong = run(CheckSpec("tcp", f"127.0.0.1:{banner_port}", {"expect": "IMAP4"},
                          timeout_s=1))
    assert (wrong.status, wrong.error) == (
        "failed", "The answer does not contain the expected text.")
    assert values(wrong)["probe_success"] == 0


def test_it_fails_on_a_closed_port_and_times_out_on_silence(silent_peer: SilentPeer) -> None:
    port = free_port()
    closed = run(CheckSpec("tcp", f"127.0.0.1:{port}", {}))
    assert (closed.status, closed.error) == (
        "failed", f"127.0.0.1:{port} refused the connection.")
    assert values(closed)["probe_success"] == 0
    silent = run(CheckSpec("tcp", silent_peer.target, {"expect": "220"}, timeout_s=0.5))
    assert (silent.status, silent.error) == ("timeout", "No answer within 0.5 s.")
    assert run(CheckSpec("tcp", "127.0.0.1", {})).error == (
        "The target 127.0.0.1 names no port.")
