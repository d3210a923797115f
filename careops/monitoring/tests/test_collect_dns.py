"""The dns probe against a tiny real DNS server on a UDP/TCP socket thread, whose
answers dnspython builds from a small zone."""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import dns.message
import dns.rcode
import dns.rrset
import pytest

from careops.monitoring.collectors import CheckSpec, run
from careops.monitoring.tests import collect_peers

english_reasons = collect_peers.english_reasons

ZONE = {
    ("his.hospital.example.", "A"): ["10.1.2.3", "10.1.2.4"],
    ("his.hospital.example.", "AAAA"): ["fd00::3"],
    ("hospital.example.", "MX"): ["10 mail.hospital.example."],
    ("big.hospital.example.", "A"): [f"10.9.{i // 250}.{i % 250}" for i in range(200)],
}


@dataclass
class DnsPeer:
    port: int
    mode: str = "answer"  # answer | garbage | silent
    queries: int = 0

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def respond(self, wire: bytes) -> bytes | None:
        self.queries += 1
        if self.mode == "silent":
            return None
        if self.mode == "garbage":
            return b"\x00\x01HTTP/1.1 200 OK\r\n"
        query = dns.message.from_wire(wire)
        response = dns.message.make_response(query)
        question = query.question[0]
        key = (question.name.to_text(), dns.rdatatype.to_text(question.rdtype))
        if key in ZONE:
            response.answer.append(dns.rrset.from_text_list(
                question.name, 300, "IN", key[1], ZONE[key]))
        elif not any(name == key[0] for name, _ in ZONE):
            response.set_rcode(dns.rcode.NXDOMAIN)
        return response.to_wire()


@pytest.fixture
def dns_peer() -> Iterator[DnsPeer]:
    class Tcp(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            size = struct.unpack("!H", self.request.recv(2))[0]
            reply = peer.respond(self.request.recv(size))
            if reply is not None:
                self.request.sendall(struct.pack("!H", len(reply)) + reply)

    # one port number for UDP and TCP: a free UDP port may be taken on TCP, so try again
    for _attempt in range(50):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
        try:
            tcp = socketserver.ThreadingTCPServer(("127.0.0.1", port), Tcp)
            break
        except OSError:
            udp.close()
    else:
        pytest.fail("no port free on both UDP and TCP")
    peer = DnsPeer(port)
    tcp.daemon_threads = True
    stop = threading.Event()

    def serve_udp() -> None:
        udp.settimeout(0.2)
        while not stop.is_set():
            try:
                wire, client = udp.recvfrom(4096)
            except OSError:
                continue
            reply = peer.respond(wire)
            if reply is not None:
                query = dns.message.from_wire(wire) if peer.mode == "answer" else None
                if query is not None and len(reply) > 512:  # plain DNS: truncate over UDP
                    small = dns.message.make_response(query)
                    small.flags |= dns.flags.TC
                    reply = small.to_wire()
                udp.sendto(reply, client)

    threads = [threading.Thread(target=serve_udp, daemon=True),
               threading.Thread(target=tcp.serve_forever, daemon=True)]
    for thread in threads:
        thread.start()
    try:
        yield peer
    finally:
        stop.set()
        tcp.shutdown()
        tcp.server_close()
        udp.close()


def values(result: object) -> dict[str, float]:
    return {s.name: s.value for s in result.samples}  # type: ignore[attr-defined]


def test_it_resolves_a_name_and_checks_the_expected_addresses(dns_peer: DnsPeer) -> None:
    result = run(CheckSpec("dns", dns_peer.target, {"name": "his.hospital.example",
                                                    "expected": ["10.1.2.3"]}))
    assert (result.status, result.error) == ("ok", "")
    got = values(result)
    assert got["probe_success"] == 1 and got["probe_dns_answer_rrs"] == 2
    assert got["probe_dns_rcode"] == 0 and got["probe_dns_lookup_time_seconds"] > 0
    mx = run(CheckSpec("dns", dns_peer.target, {"name": "hospital.example", "type": "mx",
                                                "expected": "10 MAIL.hospital.example"}))
    assert mx.status == "ok"
    wrong = run(CheckSpec("dns", dns_peer.target, {"name": "his.hospital.example",
                                                   "expected": ["10.1.2.3", "10.9.9.9"]}))
    assert (wrong.status, wrong.error) == ("failed", "The answer lacks 10.9.9.9.")
    assert values(wrong)["probe_success"] == 0


def test_it_fails_on_nxdomain_and_on_an_empty_answer(dns_peer: DnsPeer) -> None:
    missing = run(CheckSpec("dns", dns_peer.target, {"name": "pacs.hospital.example"}))
    assert (missing.status, missing.error) == ("failed", "The server answered NXDOMAIN.")
    assert values(missing)["probe_dns_rcode"] == 3
    empty = run(CheckSpec("dns", dns_peer.target, {"name": "hospital.example"}))
    assert (empty.status, empty.error) == ("failed", "The answer has no A record.")


def test_it_retries_a_truncated_answer_over_tcp(dns_peer: DnsPeer) -> None:
    result = run(CheckSpec("dns", dns_peer.target, {"name": "big.hospital.example"}))
    assert (result.status, values(result)["probe_dns_answer_rrs"]) == ("ok", 200)
    assert dns_peer.queries == 2
    over_tcp = run(CheckSpec("dns", dns_peer.target, {"name": "his.hospital.example",
                                                      "type": "AAAA", "protocol": "tcp"}))
    assert over_tcp.status == "ok"


def test_it_rejects_garbage_and_times_out_on_silence(dns_peer: DnsPeer) -> None:
    dns_peer.mode = "garbage"
    garbage = run(CheckSpec("dns", dns_peer.target, {"name": "his.hospital.example"},
                            timeout_s=2))
    assert (garbage.status, garbage.error) == (
        "rejected", f"127.0.0.1:{dns_peer.port} did not send a valid DNS answer.")
    dns_peer.mode = "silent"
    silent = run(CheckSpec("dns", dns_peer.target, {"name": "his.hospital.example"},
                           timeout_s=0.5))
    assert (silent.status, values(silent)["probe_success"]) == ("timeout", 0)


def test_it_refuses_bad_params_before_asking(dns_peer: DnsPeer) -> None:
    assert run(CheckSpec("dns", dns_peer.target, {})).error == (
        "Parameter name (the name to resolve) is required.")
    assert run(CheckSpec("dns", dns_peer.target, {"name": "x", "type": "ANY"})).error == (
        "Parameter type must be one of A, AAAA, CNAME, MX, NS, PTR, SOA, SRV, TXT.")
    assert run(CheckSpec("dns", dns_peer.target, {"name": "a..b"})).error == (
        "Parameter name is not a valid DNS name.")
    assert dns_peer.queries == 0
