"""``tcp``: connect to a port, optionally send a line and expect a banner.

target  ``host:port``.
params  ``send`` (text sent after connecting), ``expect`` (text the answer must contain;
        read until it arrives, the peer closes, 64 KiB or the timeout),
        ``encoding`` (default utf-8).

Samples: ``probe_success``, ``probe_duration_seconds``, and with ``expect``,
``probe_tcp_banner_matched`` (1/0). A refused connection fails the check; silence
when a banner is expected times it out.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from django.utils.translation import gettext as _

from careops.logic.promtext import Sample
from careops.monitoring.collectors.base import (
    CheckSpec,
    CollectError,
    CollectResult,
    Deadline,
    deadline_for,
    failed,
    host_port,
    param_str,
)
from careops.monitoring.collectors.httpfetch import network_error

MAX_BANNER = 64 * 1024
PARAMS = frozenset({"send", "expect", "encoding"})


@dataclass(frozen=True)
class TcpOptions:
    host: str
    port: int
    payload: bytes  # sent after connecting
    expected: bytes  # b"": no banner expected


def connect(host: str, port: int, deadline: Deadline) -> socket.socket:
    """A connected socket, watched by the deadline; CollectError if not."""
    try:
        sock = socket.create_connection((host, port), timeout=deadline.remaining())
    except OSError as exc:
        raise network_error(exc, deadline, host, port) from None
    deadline.watch(sock)
    return sock


def prepare(spec: CheckSpec) -> TcpOptions:
    """The target and params of a TCP check, parsed; CollectError if wrong. No I/O."""
    host, port = host_port(spec.target, None)
    send = param_str(spec.params, "send")
    expect = param_str(spec.params, "expect")
    encoding = param_str(spec.params, "encoding", "utf-8") or "utf-8"
    try:
        expected = expect.encode(encoding)
        payload = send.encode(encoding)
    except UnicodeEncodeError:
        raise failed(_("Parameters send and expect cannot be written in %(encoding)s.")
                     % {"encoding": encoding}) from None
    except (LookupError, ValueError):  # also "undefined" and names with a NUL
        raise failed(_("Parameter encoding names no known encoding.")) from None
    return TcpOptions(host, port, payload, expected)


def collect(spec: CheckSpec) -> CollectResult:
    deadline = deadline_for(spec)
    options = prepare(spec)
    host, port, payload, expected = (options.host, options.port, options.payload,
                                     options.expected)
    sock = connect(host, port, deadline)
    try:
        if payload:
            sock.settimeout(deadline.remaining())
            sock.sendall(payload)
        if not expected:
            return CollectResult(probe(True, deadline))
        received = b""
        while expected not in received and len(received) < MAX_BANNER:
            try:
                sock.settimeout(deadline.remaining())
                chunk = sock.recv(4096)
            except (TimeoutError, CollectError):
                if not received:
                    raise
                break  # it said something else, then nothing more: a wrong banner
            if not chunk:
                break
            received += chunk
    except OSError as exc:
        raise network_error(exc, deadline, host, port) from None
    finally:
        sock.close()
    matched = expected in received
    samples = [*probe(matched, deadline), Sample("probe_tcp_banner_matched", {},
                                                 1.0 if matched else 0.0)]
    if matched:
        return CollectResult(samples)
    return CollectResult(samples, "failed", _("The answer does not contain the expected text."))


def probe(success: bool, deadline: Deadline) -> list[Sample]:
    return [Sample("probe_success", {}, 1.0 if success else 0.0),
            Sample("probe_duration_seconds", {}, round(deadline.elapsed(), 6))]
