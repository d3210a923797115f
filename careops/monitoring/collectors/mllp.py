"""``mllp``: send an HL7 v2 test message over MLLP and expect its ACK.

target  ``host:port`` of the interface engine's (or HIS/LIS's) MLLP listener.
params  ``message`` (a whole message to send instead of the preset; ``{control_id}`` and
        ``{timestamp}`` in it are replaced, segments separated by line breaks or \\r),
        ``message_type`` (preset: "QRY^A19", the default, a query that changes nothing, or
        "ADT^A01", an admission of the test patient CAREOPS-PROBE: only where the receiver
        discards it), ``receiving_application``, ``receiving_facility`` (MSH-5/6),
        ``processing_id`` (MSH-11, default P), ``version`` (MSH-12, default 2.4),
        ``encoding`` (default utf-8; GBK/GB18030 where the interface uses it).

The ACK must be AA or CA and name the control id sent; AE/AR (or CE/CR) fail the check with
the MSA text (truncated), another control id fails it, an answer that is not an MLLP-framed
HL7 ACK rejects it, silence times it out.

Samples: ``probe_success``, ``probe_duration_seconds``,
``careops_hl7_ack_code{code="AA"}`` 1 (the code received).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from careops.logic import hl7mllp
from careops.logic.promtext import Sample
from careops.monitoring.collectors.base import (
    CheckSpec,
    CollectResult,
    deadline_for,
    failed,
    host_port,
    param_str,
    rejected,
    short,
)
from careops.monitoring.collectors.httpfetch import network_error
from careops.monitoring.collectors.tcp import connect

MAX_ANSWER = 1024 * 1024
TEXT_CHARS = 200
PARAMS = frozenset({"message", "message_type", "receiving_application", "receiving_facility",
                    "processing_id", "version", "encoding"})


@dataclass(frozen=True)
class MllpOptions:
    host: str
    port: int
    message: str  # a whole message with {control_id}/{timestamp}; "" for the preset
    message_type: str  # the preset's
    fields: Mapping[str, str]  # the preset's MSH fields that were set
    encoding: str


def new_control_id() -> str:
    return "CO" + secrets.token_hex(8).upper()


def prepare(spec: CheckSpec) -> MllpOptions:
    """The target and params of an MLLP check, parsed; CollectError if wrong. No I/O."""
    host, port = host_port(spec.target, None)
    encoding = param_str(spec.params, "encoding", "utf-8") or "utf-8"
    custom = param_str(spec.params, "message")
    message_type = ""
    fields: dict[str, str] = {}
    if custom.strip():
        segs = hl7mllp.segments(custom)  # {control_id}/{timestamp} never start a segment
        if not segs or not segs[0].startswith("MSH"):
            raise failed(_("Parameter message must be an HL7 message starting with MSH."))
    else:
        custom = ""
        message_type = param_str(spec.params, "message_type", "QRY^A19") or "QRY^A19"
        if message_type not in hl7mllp.PRESETS:
            raise failed(_("Parameter message_type must be one of %(types)s.")
                         % {"types": ", ".join(hl7mllp.PRESETS)})
        for name in ("receiving_application", "receiving_facility", "processing_id",
                     "version"):
            value = param_str(spec.params, name)
            if any(c in value for c in "|\r\n"):
                raise failed(_("Parameter %(name)s must not contain | or line breaks.")
                             % {"name": name})
            if value:
                fields[name] = value
    options = MllpOptions(host, port, custom, message_type, fields, encoding)
    encoded(options, new_control_id(), dt.datetime.now(dt.UTC))  # can it be sent at all?
    return options


def message_for(options: MllpOptions, control: str, now: dt.datetime) -> str:
    if options.message:
        text = options.message.replace("{control_id}", control).replace(
            "{timestamp}", now.strftime("%Y%m%d%H%M%S"))
        return "\r".join(hl7mllp.segments(text)) + "\r"
    return hl7mllp.probe_message(control, now, message_type=options.message_type,
                                 **options.fields)


def encoded(options: MllpOptions, control: str, now: dt.datetime) -> tuple[str, bytes]:
    """The message with ``control`` as its control id, as text and in its encoding."""
    message = message_for(options, control, now)
    try:
        return message, message.encode(options.encoding)
    except UnicodeEncodeError:
        raise failed(_("The message cannot be written in %(encoding)s.")
                     % {"encoding": options.encoding}) from None
    except (LookupError, ValueError):  # also "undefined" and names with a NUL
        raise failed(_("Parameter encoding names no known encoding.")) from None


def collect(spec: CheckSpec) -> CollectResult:
    deadline = deadline_for(spec)
    options = prepare(spec)
    host, port, encoding = options.host, options.port, options.encoding
    message, payload = encoded(options, new_control_id(), dt.datetime.now(dt.UTC))
    sent_control = hl7mllp.control_id(message)
    sock = connect(host, port, deadline)
    received = b""
    try:
        sock.settimeout(deadline.remaining())
        sock.sendall(hl7mllp.frame(payload))
        while True:
            try:
                body = hl7mllp.unframe(received)
            except hl7mllp.Hl7Error:
                raise rejected(_("The answer is not an MLLP frame.")) from None
            if body is not None:
                break
            if len(received) > MAX_ANSWER:
                raise rejected(_("The answer is larger than %(limit)s bytes without an end "
                                 "of frame.") % {"limit": MAX_ANSWER})
            sock.settimeout(deadline.remaining())
            chunk = sock.recv(65536)
            if not chunk:
                raise failed(_("%(where)s closed the connection without an ACK.")
                             % {"where": f"{host}:{port}"})
            received += chunk
    except OSError as exc:
        raise network_error(exc, deadline, host, port) from None
    finally:
        sock.close()
    try:
        ack = hl7mllp.parse_ack(body.decode(encoding, errors="replace"))
    except hl7mllp.Hl7Error:
        raise rejected(_("The answer is not an HL7 ACK (no MSH or MSA segment).")) from None
    samples = [Sample("probe_success", {}, 0.0),
               Sample("probe_duration_seconds", {}, round(deadline.elapsed(), 6)),
               Sample("careops_hl7_ack_code", {"code": short(ack.code, 8)}, 1.0)]
    if ack.code not in hl7mllp.ACCEPTED and ack.code not in hl7mllp.REFUSED:
        return CollectResult(samples, "rejected", _("The ACK code %(code)s is not an HL7 "
                                                    "acknowledgment code.")
                             % {"code": short(ack.code, 8)})
    if not ack.accepted:
        text = short(ack.text, TEXT_CHARS) if ack.text else _("no text")
        return CollectResult(samples, "failed", _("ACK %(code)s: %(text)s")
                             % {"code": ack.code, "text": text})
    if ack.control_id != sent_control:
        return CollectResult(samples, "failed", _(
            "The ACK is for another message (control id %(got)s, sent %(sent)s).")
            % {"got": short(ack.control_id, 40), "sent": sent_control})
    samples[0] = Sample("probe_success", {}, 1.0)
    return CollectResult(samples)
