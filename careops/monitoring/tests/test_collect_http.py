"""The http and soap probes against real local HTTP and HTTPS servers (self-signed
certificates with a known notAfter, made in the test)."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from careops.monitoring.collectors import CheckSpec, Credential, run
from careops.monitoring.tests import collect_peers
from careops.monitoring.tests.collect_peers import HttpPeer, SilentPeer, self_signed

english_reasons = collect_peers.english_reasons
http_peer = collect_peers.http_peer
silent_peer = collect_peers.silent_peer

NOT_AFTER = dt.datetime(2031, 5, 17, 8, 30, tzinfo=dt.UTC)


def values(result: object) -> dict[str, float]:
    return {s.name: s.value for s in result.samples}  # type: ignore[attr-defined]


@pytest.fixture
def https_peer(tmp_path: Path) -> Iterator[HttpPeer]:
    cert = self_signed(tmp_path, NOT_AFTER)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert.cert_file, cert.key_file)
    yield from collect_peers.serve_http(context)


def test_it_probes_a_page_for_status_and_keyword(http_peer: HttpPeer) -> None:
    http_peer.text("/health", "<html>HIS status: RUNNING</html>", content_type="text/html")
    ok = run(CheckSpec("http", http_peer.url("/health"), {"keyword": "RUNNING"}))
    assert (ok.status, ok.error) == ("ok", "")
    got = values(ok)
    assert got["probe_success"] == 1 and got["probe_http_status_code"] == 200
    assert got["probe_http_content_length"] == 32 and got["probe_http_ssl"] == 0
    assert "probe_ssl_earliest_cert_expiry" not in got
    missing = run(CheckSpec("http", http_peer.url("/health"), {"keyword": "STOPPED"}))
    assert (missing.status, missing.error) == (
        "failed", "The body does not contain the keyword.")
    assert values(missing)["probe_success"] == 0


def test_it_checks_the_status_against_the_expected_list(http_peer: HttpPeer) -> None:
    http_peer.text("/down", "maintenance", status=503)
    result = run(CheckSpec("http", http_peer.url("/down"), {}))
    assert (result.status, result.error) == ("failed", "HTTP 503, expected 2xx")
    assert values(result)["probe_http_status_code"] == 503
    allowed = run(CheckSpec("http", http_peer.url("/down"), {"expected_status": [200, 503]}))
    assert allowed.status == "ok"
    bad = run(CheckSpec("http", http_peer.url("/down"), {"expected_status": ["abc"]}))
    assert bad.error == "Parameter expected_status must be a list of HTTP status codes."


def test_it_posts_a_body_with_headers_and_credential(http_peer: HttpPeer) -> None:
    http_peer.text("/api", '{"ok": true}', content_type="application/json")
    result = run(CheckSpec("http", http_peer.url("/api"), {
        "method": "post", "body": '{"ping": 1}', "headers": {"X-Probe": "careops"}},
        credential=Credential("monitor", "pw")))
    assert result.status == "ok"
    sent = http_peer.requests[0]
    assert (sent["method"], sent["body"], sent["headers"]["X-Probe"]) == (
        "POST", b'{"ping": 1}', "careops")
    assert sent["headers"]["Authorization"].startswith("Basic ")
    assert run(CheckSpec("http", http_peer.url("/api"), {"method": "TRACE"})).error == (
        "Parameter method must be one of GET, HEAD, OPTIONS, POST, PUT.")


def test_it_rejects_a_body_past_max_bytes(http_peer: HttpPeer) -> None:
    http_peer.endless("/big")
    result = run(CheckSpec("http", http_peer.url("/big"), {"max_bytes": 200_000}))
    assert (result.status, result.error) == ("rejected", "body larger than 200000 bytes")
    assert values(result)["probe_success"] == 0


def test_it_times_out_on_a_server_that_never_answers(silent_peer: SilentPeer) -> None:
    result = run(CheckSpec("http", f"http://{silent_peer.target}/", {}, timeout_s=0.5))
    assert (result.status, values(result)["probe_success"]) == ("timeout", 0)


def test_it_reads_the_certificate_expiry_of_an_https_server(https_peer: HttpPeer) -> None:
    https_peer.text("/", "hello")
    result = run(CheckSpec("http", https_peer.url("/"), {"verify_tls": False}))
    assert (result.status, result.error) == ("ok", "")
    got = values(result)
    assert got["probe_ssl_earliest_cert_expiry"] == NOT_AFTER.timestamp()
    assert got["probe_http_ssl"] == 1


def test_it_fails_on_an_untrusted_certificate_unless_told_not_to_verify(
        https_peer: HttpPeer) -> None:
    https_peer.text("/", "hello")
    result = run(CheckSpec("http", https_peer.url("/"), {}))
    assert result.status == "failed"
    assert result.error.startswith(f"The TLS certificate of 127.0.0.1:{https_peer.port} is "
                                   "not trusted: self-signed certificate")


def test_it_fails_when_plain_http_meets_tls(https_peer: HttpPeer) -> None:
    result = run(CheckSpec("http", f"http://127.0.0.1:{https_peer.port}/", {}, timeout_s=2))
    assert result.status in ("failed", "rejected")  # TLS servers answer garbage or hang up


SOAP_OK = """<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<GetStatusResponse xmlns="urn:his"><Status>OK</Status></GetStatusResponse>
</soap:Body></soap:Envelope>"""

SOAP_FAULT = """<?xml version="1.0"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
<faultcode>s:Server</faultcode><faultstring>数据库连接失败 &amp; HIS unavailable</faultstring>
</s:Fault></s:Body></s:Envelope>"""

SOAP12_FAULT = """<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">
<env:Body><env:Fault><env:Code><env:Value>env:Receiver</env:Value></env:Code>
<env:Reason><env:Text xml:lang="en">Service """ + "very " * 100 + """busy</env:Text>
</env:Reason></env:Fault></env:Body></env:Envelope>"""

ENVELOPE = ('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
            '<soap:Body><GetStatus xmlns="urn:his"/></soap:Body></soap:Envelope>')


def test_it_posts_a_soap_envelope_and_finds_the_expected_tag(http_peer: HttpPeer) -> None:
    http_peer.text("/ws", SOAP_OK, content_type="text/xml")
    result = run(CheckSpec("soap", http_peer.url("/ws"), {
        "body": ENVELOPE, "soap_action": "urn:his/GetStatus", "expect": "GetStatusResponse"}))
    assert (result.status, result.error) == ("ok", "")
    assert values(result)["probe_soap_fault"] == 0
    sent = http_peer.requests[0]
    assert sent["method"] == "POST" and sent["body"] == ENVELOPE.encode()
    assert sent["headers"]["SOAPAction"] == '"urn:his/GetStatus"'
    assert sent["headers"]["Content-Type"] == "text/xml; charset=utf-8"
    other = run(CheckSpec("soap", http_peer.url("/ws"), {"body": ENVELOPE,
                                                         "expect": "GetPatientResponse"}))
    assert (other.status, other.error) == (
        "failed", "The answer does not contain the expected text.")


def test_it_fails_on_a_soap_fault_with_its_faultstring(http_peer: HttpPeer) -> None:
    http_peer.text("/ws", SOAP_FAULT, status=500, content_type="text/xml")
    result = run(CheckSpec("soap", http_peer.url("/ws"), {"body": ENVELOPE}))
    assert (result.status, result.error) == (
        "failed", "SOAP fault: 数据库连接失败 & HIS unavailable")
    got = values(result)
    assert got["probe_soap_fault"] == 1 and got["probe_http_status_code"] == 500


def test_it_truncates_a_long_soap_12_reason(http_peer: HttpPeer) -> None:
    http_peer.text("/ws", SOAP12_FAULT, content_type="application/soap+xml")
    result = run(CheckSpec("soap", http_peer.url("/ws"), {"body": ENVELOPE,
                                                          "soap_version": "1.2"}))
    assert result.status == "failed" and result.error.startswith("SOAP fault: Service very")
    assert result.error.endswith("…") and len(result.error) < 230
    assert http_peer.requests[0]["headers"]["Content-Type"] == (
        "application/soap+xml; charset=utf-8")


def test_it_refuses_a_soap_check_without_an_envelope(http_peer: HttpPeer) -> None:
    result = run(CheckSpec("soap", http_peer.url("/ws"), {}))
    assert (result.status, result.error) == (
        "failed", "Parameter body (the SOAP envelope) is required.")
    assert http_peer.requests == []
