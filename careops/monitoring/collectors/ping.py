"""``ping``: ICMP echo through the system's ``ping`` (iputils-ping), or a TCP connect
"ping" where ICMP is blocked.

target  a host name or address.
params  ``count`` (echo requests, default 3, 1–20), ``tcp_port`` (when set, connect to
        this port instead of ICMP: an answer of either kind, accepted or refused, means
        the host is up), ``tcp_fallback_port`` (used only when ICMP cannot be sent here).

Samples: ``probe_success`` (1 when any reply came), ``probe_duration_seconds``,
``probe_icmp_duration_seconds{phase="rtt"}`` (mean round trip), and
``probe_icmp_packet_loss_ratio`` (0–1); for the TCP ping ``probe_tcp_ping`` 1.
A host that does not answer fails the check, with its samples.
"""

from __future__ import annotations

import math
import re
import shutil
import socket
import subprocess
from dataclasses import dataclass

from django.utils.translation import gettext as _

from careops.logic.promtext import Sample
from careops.monitoring.collectors.base import (
    CheckSpec,
    CollectError,
    CollectResult,
    Deadline,
    bad_target,
    deadline_for,
    failed,
    param_int,
    short,
    shown_target,
    timed_out,
    valid_host,
)

_COUNTS_RE = re.compile(r"(\d+) packets transmitted, (\d+) (?:packets )?received")
_RTT_RE = re.compile(r"(?:rtt|round-trip) min/avg/max(?:/mdev|/stddev)? = "
                     r"([\d.]+)/([\d.]+)/([\d.]+)")
PARAMS = frozenset({"count", "tcp_port", "tcp_fallback_port"})


@dataclass(frozen=True)
class PingOptions:
    host: str
    count: int
    tcp_port: int  # 0: ICMP
    tcp_fallback_port: int  # 0: none


@dataclass(frozen=True)
class PingStats:
    transmitted: int
    received: int
    rtt_avg_s: float | None

    @property
    def loss_ratio(self) -> float:
        if self.transmitted == 0:
            return 1.0
        return max(0.0, 1.0 - self.received / self.transmitted)


def parse_ping_output(text: str) -> PingStats | None:
    """The summary of iputils (or BusyBox) ping's output; None when there is none."""
    counts = _COUNTS_RE.search(text)
    if counts is None:
        return None
    rtt = _RTT_RE.search(text)
    return PingStats(int(counts.group(1)), int(counts.group(2)),
                     float(rtt.group(2)) / 1000 if rtt else None)


class IcmpUnavailable(Exception):
    pass


def icmp_ping(host: str, count: int, deadline: Deadline) -> PingStats:
    binary = shutil.which("ping")
    if binary is None:
        raise IcmpUnavailable("no ping binary")
    # Long enough for every request and a second for the last reply; within the timeout.
    wait = max(1, min(math.floor(deadline.remaining() - 0.2), math.ceil(count * 0.2) + 2))
    command = [binary, "-n", "-q", "-c", str(count), "-i", "0.2", "-W", "1",
               "-w", str(wait), "--", host]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL,
                               env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})
    deadline.watch(process)
    try:
        out, err = process.communicate(timeout=deadline.remaining())
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise timed_out(deadline.reason()) from None
    stdout = out.decode("utf-8", errors="replace")
    stderr = err.decode("utf-8", errors="replace").strip()
    stats = parse_ping_output(stdout)
    if stats is not None:
        return stats
    if deadline.expired:
        raise timed_out(deadline.reason())
    lowered = stderr.lower()
    if "not permitted" in lowered or "permission denied" in lowered:
        raise IcmpUnavailable(stderr)
    if "name or service not known" in lowered or "unknown host" in lowered or (
            "temporary failure in name resolution" in lowered):
        raise failed(_("Cannot resolve %(host)s.") % {"host": host})
    last = stderr.splitlines()[-1] if stderr else f"exit status {process.returncode}"
    raise failed(_("ping failed: %(reason)s") % {"reason": short(last, 120)})


def tcp_ping(host: str, port: int, deadline: Deadline) -> bool:
    """Whether ``host`` answered a connection to ``port`` (accepted or refused)."""
    try:
        with socket.create_connection((host, port), timeout=deadline.remaining()):
            return True
    except ConnectionRefusedError:
        return True
    except TimeoutError:
        return False
    except socket.gaierror:
        raise failed(_("Cannot resolve %(host)s.") % {"host": host}) from None
    except OSError:
        return False  # unreachable host or network


def prepare(spec: CheckSpec) -> PingOptions:
    """The target and params of a ping, parsed; CollectError if wrong. No I/O."""
    host = spec.target.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not valid_host(host):
        raise bad_target(_("The target %(target)s is not a host name or address.")
                         % {"target": shown_target(spec.target)})
    count = param_int(spec.params, "count", 3, minimum=1, maximum=20)
    tcp_port = param_int(spec.params, "tcp_port", 0, minimum=0, maximum=65535)
    fallback = param_int(spec.params, "tcp_fallback_port", 0, minimum=0, maximum=65535)
    return PingOptions(host, count, tcp_port, fallback)


def collect(spec: CheckSpec) -> CollectResult:
    deadline = deadline_for(spec)
    options = prepare(spec)
    host, count = options.host, options.count
    tcp_port, fallback = options.tcp_port, options.tcp_fallback_port
    if not tcp_port:
        try:
            return icmp_result(icmp_ping(host, count, deadline), host, deadline)
        except IcmpUnavailable:
            if not fallback:
                raise failed(_("ICMP cannot be sent from this collector; set tcp_port or "
                               "tcp_fallback_port to ping over TCP.")) from None
            tcp_port = fallback
    up = tcp_ping(host, tcp_port, deadline)
    samples = [Sample("probe_success", {}, 1.0 if up else 0.0),
               Sample("probe_duration_seconds", {}, round(deadline.elapsed(), 6)),
               Sample("probe_tcp_ping", {}, 1.0)]
    if up:
        return CollectResult(samples)
    return CollectResult(samples, "failed", _("%(host)s did not answer on TCP port %(port)s.")
                         % {"host": host, "port": tcp_port})


def icmp_result(stats: PingStats, host: str, deadline: Deadline) -> CollectResult:
    up = stats.received > 0
    samples = [Sample("probe_success", {}, 1.0 if up else 0.0),
               Sample("probe_duration_seconds", {}, round(deadline.elapsed(), 6)),
               Sample("probe_icmp_packet_loss_ratio", {}, round(stats.loss_ratio, 4))]
    if stats.rtt_avg_s is not None:
        samples.append(Sample("probe_icmp_duration_seconds", {"phase": "rtt"},
                              stats.rtt_avg_s))
    if up:
        return CollectResult(samples)
    return CollectResult(samples, "failed", _("%(host)s did not answer %(count)s pings.")
                         % {"host": host, "count": stats.transmitted})


__all__ = ["CollectError", "collect", "parse_ping_output"]
