"""Real local peers for the collector tests: an HTTP(S) server thread whose answers a
test sets per path, a TCP listener that accepts and never answers, and a self-signed
certificate with a known notAfter."""

from __future__ import annotations

import datetime as dt
import gzip
import http.server
import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from careops.core.tests.sshd_support import free_port, wait_for_port  # noqa: F401

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


@pytest.fixture(autouse=True)
def english_reasons() -> Iterator[None]:
    """Collector reasons are gettext strings: read them in English."""
    from django.utils import translation

    with translation.override("en"):
        yield


@dataclass
class HttpPeer:
    port: int
    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    scheme: str = "http"

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def text(self, path: str, body: str | bytes, *, status: int = 200,
             content_type: str = "text/plain; version=0.0.4", gzipped: bool = False,
             headers: dict[str, str] | None = None) -> None:
        data = body.encode() if isinstance(body, str) else body

        def handle(request: http.server.BaseHTTPRequestHandler) -> None:
            payload = gzip.compress(data) if gzipped else data
            request.send_response(status)
            request.send_header("Content-Type", content_type)
            request.send_header("Content-Length", str(len(payload)))
            if gzipped:
                request.send_header("Content-Encoding", "gzip")
            for name, value in (headers or {}).items():
                request.send_header(name, value)
            request.end_headers()
            if request.command != "HEAD":
                request.wfile.write(payload)

        self.routes[path] = handle

    def endless(self, path: str, chunk: bytes = b"x 1\n" * 16384) -> None:
        """A body without Content-Length that goes on until the client hangs up."""

        def handle(request: http.server.BaseHTTPRequestHandler) -> None:
            request.send_response(200)
            request.send_header("Content-Type", "text/plain")
            request.end_headers()
            try:
                for _ in range(10_000):  # 640 MB at most
                    request.wfile.write(chunk)
            except OSError:
                pass

        self.routes[path] = handle

    def silent(self, path: str, seconds: float = 30) -> None:
        """Read the request, then say nothing for ``seconds``."""

        def handle(request: http.server.BaseHTTPRequestHandler) -> None:
            time.sleep(seconds)

        self.routes[path] = handle


def _handler(peer: HttpPeer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            peer.requests.append({"method": self.command, "path": self.path,
                                  "headers": dict(self.headers), "body": body})
            route = peer.routes.get(self.path.split("?")[0])
            if route is None:
                self.send_error(404)
                return
            route(self)
            self.close_connection = True

        do_GET = do_POST = do_HEAD = do_PUT = _any

    return Handler


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def serve_http(context: ssl.SSLContext | None = None) -> Iterator[HttpPeer]:
    peer = HttpPeer(0, scheme="https" if context else "http")
    server = _Server(("127.0.0.1", 0), _handler(peer))
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    peer.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield peer
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def http_peer() -> Iterator[HttpPeer]:
    yield from serve_http()


@dataclass
class Certificate:
    cert_file: Path
    key_file: Path
    not_after: dt.datetime


def self_signed(directory: Path, not_after: dt.datetime,
                name: str = "localhost") -> Certificate:
    """A self-signed certificate for 127.0.0.1 and ``name`` valid until ``not_after``."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
            .not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName(name), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .sign(key, hashes.SHA256()))
    cert_file = directory / "cert.pem"
    key_file = directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return Certificate(cert_file, key_file, not_after)


@dataclass
class SilentPeer:
    port: int
    accepted: list[socket.socket]

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"


@pytest.fixture
def silent_peer() -> Iterator[SilentPeer]:
    """Accepts connections and never sends a byte."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    peer = SilentPeer(listener.getsockname()[1], [])
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            peer.accepted.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield peer
    finally:
        stop.set()
        thread.join(2)
        for conn in peer.accepted:
            conn.close()
        listener.close()


class ThreadingTCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve_tcp(handler: type[socketserver.BaseRequestHandler]) -> Iterator[int]:
    server = ThreadingTCPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
