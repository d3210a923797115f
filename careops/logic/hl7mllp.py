"""HL7 v2 messages over MLLP for the interface probe: framing, a test message and the
reading of its ACK. Pure Python.

MLLP wraps each message as ``0x0B message 0x1C 0x0D``; segments end with ``\\r``. The
probe sends a message with a fresh control id (MSH-10) and expects an ACK whose MSA-1
is AA or CA (accepted) and whose MSA-2 names that control id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

START = b"\x0b"
END = b"\x1c\x0d"
ACCEPTED = frozenset({"AA", "CA"})
REFUSED = frozenset({"AE", "AR", "CE", "CR"})
PRESETS = ("QRY^A19", "ADT^A01")


class Hl7Error(ValueError):
    """Not an MLLP frame or not an HL7 ACK."""


def frame(message: bytes) -> bytes:
    return START + message + END


def unframe(data: bytes) -> bytes | None:
    """The first message in ``data``; None while its end has not arrived.

    Raises Hl7Error when ``data`` does not start (after blank bytes) with a frame.
    """
    body = data.lstrip(b"\r\n\t ")
    if not body:
        return None
    if body[:1] != START:
        raise Hl7Error("not an MLLP frame")
    end = body.find(END, 1)
    if end < 0:
        return None
    return body[1:end]


def segments(message: str) -> list[str]:
    return [s for s in message.replace("\r\n", "\r").replace("\n", "\r").split("\r") if s]


def _msh_fields(message: str) -> tuple[str, list[str]]:
    for segment in segments(message):
        if segment.startswith("MSH") and len(segment) >= 8:
            separator = segment[3]
            # MSH-1 is the separator itself: fields[n - 1] is MSH-n for n >= 2.
            return separator, segment.split(separator)
    raise Hl7Error("no MSH segment")


def control_id(message: str) -> str:
    """MSH-10 of ``message``."""
    _, fields = _msh_fields(message)
    return fields[9] if len(fields) > 9 else ""


def probe_message(control: str, now: dt.datetime, *, message_type: str = "QRY^A19",
                  receiving_application: str = "", receiving_facility: str = "",
                  processing_id: str = "P", version: str = "2.4") -> str:
    """A test message with control id ``control``: a patient query (QRY^A19, changes
    nothing at the receiver, the default) or an admission (ADT^A01, of a test patient)."""
    stamp = now.strftime("%Y%m%d%H%M%S")
    msh = "|".join(["MSH", "^~\\&", "CAREOPS", "MONITOR", receiving_application,
                    receiving_facility, stamp, "", message_type, control, processing_id,
                    version])
    if message_type == "QRY^A19":
        body = [f"QRD|{stamp}|R|I|{control}|||1^RD|CAREOPS-PROBE|DEM"]
    elif message_type == "ADT^A01":
        body = [f"EVN|A01|{stamp}", "PID|1||CAREOPS-PROBE^^^CAREOPS||PROBE^CAREOPS||19700101|U",
                "PV1|1|O"]
    else:
        raise ValueError(f"unknown preset {message_type!r}")
    return "\r".join([msh, *body]) + "\r"


@dataclass(frozen=True)
class Ack:
    code: str  # MSA-1
    control_id: str  # MSA-2
    text: str  # MSA-3, or ERR's text where MSA-3 is empty

    @property
    def accepted(self) -> bool:
        return self.code in ACCEPTED


def parse_ack(message: str) -> Ack:
    """The MSA of an ACK; Hl7Error when ``message`` has no MSH or MSA."""
    separator, _ = _msh_fields(message)
    msa: list[str] | None = None
    err_text = ""
    for segment in segments(message):
        if segment.startswith("MSA" + separator):
            msa = segment.split(separator)
        elif segment.startswith("ERR" + separator) and not err_text:
            fields = segment.split(separator)
            # ERR-8 (user message, v2.5) or ERR-1 (v2.3/2.4 error code and location).
            err_text = next((f for f in (fields[8] if len(fields) > 8 else "",
                                         fields[1] if len(fields) > 1 else "") if f), "")
    if msa is None or len(msa) < 2:
        raise Hl7Error("no MSA segment")
    code = msa[1].strip().upper()
    return Ack(code, msa[2].strip() if len(msa) > 2 else "",
               (msa[3] if len(msa) > 3 else "").strip() or err_text.strip())
