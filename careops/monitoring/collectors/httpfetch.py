"""One HTTP(S) request for the scrape, http and soap collectors: per-check deadline,
streamed body with a size limit (also after gzip), no redirects followed, no proxies
from the environment, and the TLS certificate's expiry read from the connection."""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from careops.monitoring.collectors.base import (
    CollectError,
    Credential,
    Deadline,
    bad_target,
    failed,
    rejected,
    shown_target,
    timed_out,
    valid_host,
)

USER_AGENT = "CareOps-collector/1"
CHUNK = 64 * 1024


@dataclass
class HttpAnswer:
    status: int
    headers: Mapping[str, str]
    body: bytes  # decompressed
    wire_bytes: int  # as received
    tls: bool = False
    cert_not_after: float | None = None  # unix seconds of the server certificate's notAfter
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Url:
    scheme: str
    host: str
    port: int
    path: str  # with the query

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}{self.path}"


def parse_url(url: str) -> Url:
    """The parts of a check's URL target; CollectError (about the target) if it is not one."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise bad_target(_("The URL %(url)s is not valid.")
                         % {"url": shown_target(url)}) from None
    if parts.scheme not in ("http", "https"):
        raise bad_target(_("The URL must start with http:// or https://."))
    host = parts.hostname or ""
    if not valid_host(host):
        raise bad_target(_("The URL %(url)s names no valid host.")
                         % {"url": shown_target(url)})
    if parts.username is not None or parts.password is not None:
        raise bad_target(_("Put the user name and password in the credential, not in the URL."))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Url(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)


def fetch(url: Url, *, deadline: Deadline, max_bytes: int, method: str = "GET",
          headers: Mapping[str, str] | None = None, body: bytes | None = None,
          verify_tls: bool = True, credential: Credential | None = None) -> HttpAnswer:
    """Send one request and read the whole answer, or raise CollectError."""
    try:
        return _fetch(url, deadline=deadline, max_bytes=max_bytes, method=method,
                      headers=headers or {}, body=body, verify_tls=verify_tls,
                      credential=credential)
    except CollectError:
        raise
    except Exception as exc:
        raise network_error(exc, deadline, url.host, url.port) from None


def network_error(exc: BaseException, deadline: Deadline, host: str, port: int) -> CollectError:
    """A short reason for what went wrong talking to ``host:port``."""
    where = f"{host}:{port}"
    if deadline.expired or isinstance(exc, TimeoutError | socket.timeout):
        return timed_out(deadline.reason())
    if isinstance(exc, ssl.SSLCertVerificationError):
        return failed(_("The TLS certificate of %(where)s is not trusted: %(reason)s")
                      % {"where": where, "reason": exc.verify_message or exc.reason})
    if isinstance(exc, ssl.SSLError):
        return failed(_("TLS error with %(where)s: %(reason)s")
                      % {"where": where, "reason": exc.reason or type(exc).__name__})
    if isinstance(exc, socket.gaierror):
        return failed(_("Cannot resolve %(host)s.") % {"host": host})
    if isinstance(exc, ConnectionRefusedError):
        return failed(_("%(where)s refused the connection.") % {"where": where})
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return failed(_("%(where)s closed the connection.") % {"where": where})
    if isinstance(exc, http.client.IncompleteRead | http.client.RemoteDisconnected):
        return failed(_("%(where)s closed the connection before the answer was complete.")
                      % {"where": where})
    if isinstance(exc, http.client.HTTPException):
        return rejected(_("%(where)s did not answer in HTTP.") % {"where": where})
    if isinstance(exc, OSError):
        return failed(_("Network error with %(where)s: %(reason)s")
                      % {"where": where, "reason": exc.strerror or type(exc).__name__})
    return failed(_("Error with %(where)s: %(type)s") % {"where": where,
                                                         "type": type(exc).__name__})


def _fetch(url: Url, *, deadline: Deadline, max_bytes: int, method: str,
           headers: Mapping[str, str], body: bytes | None, verify_tls: bool,
           credential: Credential | None) -> HttpAnswer:
    conn: http.client.HTTPConnection
    if url.scheme == "https":
        context = ssl.create_default_context()
        if not verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(url.host, url.port, timeout=deadline.remaining(),
                                           context=context)
    else:
        conn = http.client.HTTPConnection(url.host, url.port, timeout=deadline.remaining())

    def create_connection(*args: Any, **kwargs: Any) -> socket.socket:
        sock = socket.create_connection(*args, **kwargs)
        deadline.watch(sock)
        return sock

    conn._create_connection = create_connection  # type: ignore[attr-defined]
    try:
        conn.connect()
        sock = conn.sock
        assert sock is not None
        deadline.watch(sock)  # the TLS socket, when wrapped
        not_after = None
        if isinstance(sock, ssl.SSLSocket):
            not_after = _not_after(sock.getpeercert(binary_form=True))
        sent = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip", "Connection": "close"}
        if credential is not None and credential.username:
            token = f"{credential.username}:{credential.password}".encode()
            sent["Authorization"] = "Basic " + base64.b64encode(token).decode()
        sent.update(headers)
        sock.settimeout(deadline.remaining())
        conn.request(method, url.path, body=body, headers=sent)
        sock.settimeout(deadline.remaining())
        response = conn.getresponse()
        gzipped = response.getheader("Content-Encoding", "").strip().lower() == "gzip"
        data, wire = _read_body(response, sock, deadline, max_bytes, gzipped)
        answer_headers = {k.lower(): v for k, v in response.getheaders()}
        return HttpAnswer(response.status, answer_headers, data, wire,
                          tls=url.scheme == "https", cert_not_after=not_after)
    finally:
        conn.close()


def _too_big(max_bytes: int) -> CollectError:
    return rejected(_("body larger than %(limit)s bytes") % {"limit": max_bytes})


def _read_body(response: http.client.HTTPResponse, sock: socket.socket, deadline: Deadline,
               max_bytes: int, gzipped: bool) -> tuple[bytes, int]:
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and not gzipped and int(length) > max_bytes:
        raise _too_big(max_bytes)
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzipped else None
    parts: list[bytes] = []
    total = 0
    wire = 0
    while True:
        sock.settimeout(deadline.remaining())
        chunk = response.read1(CHUNK)
        if not chunk:
            break
        wire += len(chunk)
        if inflate is None:
            total += len(chunk)
            if total > max_bytes:
                raise _too_big(max_bytes)
            parts.append(chunk)
            continue
        pending = chunk
        while pending:
            try:
                out = inflate.decompress(pending, max_bytes - total + 1)
            except zlib.error:
                raise rejected(_("The gzip body is corrupt.")) from None
            total += len(out)
            if total > max_bytes:
                raise _too_big(max_bytes)
            parts.append(out)
            pending = inflate.unconsumed_tail
            if inflate.eof:
                break
    if inflate is not None and wire and not inflate.eof:
        raise rejected(_("The gzip body is cut short."))
    return b"".join(parts), wire


def _not_after(der: bytes | None) -> float | None:
    if not der:
        return None
    from cryptography import x509

    try:
        return x509.load_der_x509_certificate(der).not_valid_after_utc.timestamp()
    except ValueError:
        return None
