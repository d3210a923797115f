"""``dns``: ask a DNS server for a name (dnspython).

target  the server, ``ip:port`` (port 53 by default) or a host name.
params  ``name`` (required), ``type`` (A, AAAA, CNAME, MX, NS, PTR, SOA, SRV, TXT; default A),
        ``expected`` (list of answer values, e.g. "10.1.2.3", that must all be present),
        ``protocol`` ("udp", the default, falling back to TCP for a truncated answer, or
        "tcp").

Samples: ``probe_success``, ``probe_duration_seconds``, ``probe_dns_lookup_time_seconds``,
``probe_dns_answer_rrs``, ``probe_dns_rcode`` (0 = NOERROR, 3 = NXDOMAIN …). An error rcode,
an empty answer or a missing expected value fail the check; an answer that is not DNS
rejects it; silence times it out.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
from django.utils.translation import gettext as _

from careops.logic.promtext import Sample
from careops.monitoring.collectors.base import (
    CheckSpec,
    CollectResult,
    Deadline,
    deadline_for,
    failed,
    host_port,
    param_str,
    param_str_list,
    rejected,
    timed_out,
)

TYPES = ("A", "AAAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT")
PARAMS = frozenset({"name", "type", "expected", "protocol"})


@dataclass(frozen=True)
class DnsOptions:
    host: str  # the server
    port: int
    name: dns.name.Name
    record_type: str
    protocol: str  # udp | tcp
    expected: tuple[str, ...]


def server_address(host: str, port: int) -> str:
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
        return host
    except OSError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    except socket.gaierror:
        raise failed(_("Cannot resolve %(host)s.") % {"host": host}) from None
    return str(infos[0][4][0])


def ask(query: dns.message.Message, address: str, port: int, protocol: str,
        deadline: Deadline) -> dns.message.Message:
    try:
        if protocol == "tcp":
            return dns.query.tcp(query, address, port=port, timeout=deadline.remaining())
        answer = dns.query.udp(query, address, port=port, timeout=deadline.remaining())
        if answer.flags & dns.flags.TC:
            return dns.query.tcp(query, address, port=port, timeout=deadline.remaining())
        return answer
    except dns.exception.Timeout:
        raise timed_out(deadline.reason()) from None
    except ConnectionRefusedError:
        raise failed(_("%(where)s refused the query.") % {"where": f"{address}:{port}"}) from None
    except OSError as exc:
        if deadline.expired:
            raise timed_out(deadline.reason()) from None
        raise failed(_("Network error with %(where)s: %(reason)s") % {
            "where": f"{address}:{port}", "reason": exc.strerror or type(exc).__name__}) from None
    except (dns.exception.DNSException, ValueError, EOFError):
        raise rejected(_("%(where)s did not send a valid DNS answer.")
                       % {"where": f"{address}:{port}"}) from None


def prepare(spec: CheckSpec) -> DnsOptions:
    """The target and params of a DNS check, parsed; CollectError if wrong. No I/O."""
    host, port = host_port(spec.target, 53)
    name_text = param_str(spec.params, "name").strip()
    if not name_text:
        raise failed(_("Parameter name (the name to resolve) is required."))
    record_type = (param_str(spec.params, "type", "A") or "A").upper()
    if record_type not in TYPES:
        raise failed(_("Parameter type must be one of %(types)s.") % {"types": ", ".join(TYPES)})
    protocol = (param_str(spec.params, "protocol", "udp") or "udp").lower()
    if protocol not in ("udp", "tcp"):
        raise failed(_("Parameter protocol must be udp or tcp."))
    expected = tuple(v.strip() for v in param_str_list(spec.params, "expected") if v.strip())
    try:
        name = dns.name.from_text(name_text)
    except dns.exception.DNSException:
        raise failed(_("Parameter name is not a valid DNS name.")) from None
    return DnsOptions(host, port, name, record_type, protocol, expected)


def collect(spec: CheckSpec) -> CollectResult:
    deadline = deadline_for(spec)
    options = prepare(spec)
    host, port, record_type = options.host, options.port, options.record_type
    address = server_address(host, port)
    query = dns.message.make_query(options.name, dns.rdatatype.from_text(record_type))
    started = time.monotonic()
    answer = ask(query, address, port, options.protocol, deadline)
    lookup = time.monotonic() - started
    rrsets = [r for r in answer.answer if r.rdtype == query.question[0].rdtype]
    values = {_normal(rdata.to_text()) for rrset in rrsets for rdata in rrset}
    count = sum(len(rrset) for rrset in answer.answer)
    rcode = answer.rcode()
    reason = ""
    if rcode != dns.rcode.NOERROR:
        reason = _("The server answered %(rcode)s.") % {"rcode": dns.rcode.to_text(rcode)}
    elif not values:
        reason = _("The answer has no %(type)s record.") % {"type": record_type}
    else:
        missing = [v for v in options.expected if _normal(v) not in values]
        if missing:
            reason = _("The answer lacks %(values)s.") % {"values": ", ".join(missing[:5])}
    samples = [Sample("probe_success", {}, 0.0 if reason else 1.0),
               Sample("probe_duration_seconds", {}, round(deadline.elapsed(), 6)),
               Sample("probe_dns_lookup_time_seconds", {}, round(lookup, 6)),
               Sample("probe_dns_answer_rrs", {}, float(count)),
               Sample("probe_dns_rcode", {}, float(rcode))]
    if reason:
        return CollectResult(samples, "failed", reason)
    return CollectResult(samples)


def _normal(value: str) -> str:
    """Compare answers without case, quotes or the root dot."""
    text = value.strip().strip('"').lower()
    return text[:-1] if text.endswith(".") and len(text) > 1 else text
