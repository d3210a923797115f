"""The MLLP probe against a small real MLLP listener (a socketserver thread) that ACKs,
NAKs, answers for another message, stays silent or answers garbage; and the framing and
ACK parsing of careops.logic.hl7mllp."""

from __future__ import annotations

import datetime as dt
import socketserver
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careops.logic import hl7mllp
from careops.monitoring.collectors import CheckSpec, run
from careops.monitoring.tests import collect_peers
from careops.monitoring.tests.collect_peers import serve_tcp

english_reasons = collect_peers.english_reasons


@dataclass
class Listener:
    port: int = 0
    mode: str = "AA"  # AA | CA | AE | AR | other-id | silent | garbage | close | slow | CX
    encoding: str = "utf-8"
    received: list[str] = field(default_factory=list)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"


def ack_for(message: str, code: str, text: str = "", control: str | None = None) -> str:
    control = hl7mllp.control_id(message) if control is None else control
    return (f"MSH|^~\\&|LIS|LAB|CAREOPS|MONITOR|20260101120000||ACK^A19|A{control}|P|2.4\r"
            f"MSA|{code}|{control}|{text}\r")


@pytest.fixture
def listener() -> Iterator[Listener]:
    state = Listener()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            data = b""
            while (body := hl7mllp.unframe(data)) is None:
                chunk = self.request.recv(4096)
                if not chunk:
                    return
                data += chunk
            message = body.decode(state.encoding)
            state.received.append(message)
            mode = state.mode
            if mode == "silent":
                time.sleep(5)
                return
            if mode == "close":
                return
            if mode == "garbage":
                self.request.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
                return
            if mode in ("AE", "AR"):
                reply = ack_for(message, mode, "PID-3 患者号不存在" + " (detail)" * 50)
            elif mode == "other-id":
                reply = ack_for(message, "AA", control="CO-SOMEONE-ELSE")
            elif mode == "no-msa":
                reply = "MSH|^~\\&|LIS|LAB|||20260101||ACK|1|P|2.4\r"
            else:
                reply = ack_for(message, "AA" if mode in ("AA", "slow") else mode)
            framed = hl7mllp.frame(reply.encode(state.encoding))
            if mode == "slow":  # the ACK in three pieces
                for piece in (framed[:5], framed[5:20], framed[20:]):
                    self.request.sendall(piece)
                    time.sleep(0.05)
            else:
                self.request.sendall(framed)

    for port in serve_tcp(Handler):
        state.port = port
        yield state


def test_it_sends_a_query_and_accepts_the_ack(listener: Listener) -> None:
    result = run(CheckSpec("mllp", listener.target, {"receiving_application": "LIS"}))
    assert (result.status, result.error) == ("ok", "")
    got = {s.name: s for s in result.samples}
    assert got["probe_success"].value == 1
    assert got["careops_hl7_ack_code"].labels == {"code": "AA"}
    sent = listener.received[0]
    msh = sent.split("\r")[0].split("|")
    assert msh[4] == "LIS" and msh[8] == "QRY^A19" and msh[9].startswith("CO")
    second = run(CheckSpec("mllp", listener.target, {}))
    assert second.status == "ok"
    assert hl7mllp.control_id(listener.received[1]) != msh[9]  # a fresh control id


def test_it_sends_an_adt_or_a_custom_message_in_gbk(listener: Listener) -> None:
    assert run(CheckSpec("mllp", listener.target, {"message_type": "ADT^A01"})).status == "ok"
    assert "EVN|A01|" in listener.received[0]
    listener.encoding = "gbk"
    custom = ("MSH|^~\\&|CAREOPS|MON|HIS|医院|{timestamp}||QRY^Q01|{control_id}|P|2.3\n"
              "QRD|{timestamp}|R|I|{control_id}|||1^RD|张三|DEM")
    result = run(CheckSpec("mllp", listener.target, {"message": custom, "encoding": "gbk"}))
    assert (result.status, result.error) == ("ok", "")
    assert "|医院|" in listener.received[1] and "{control_id}" not in listener.received[1]
    assert run(CheckSpec("mllp", listener.target, {"message": "PID|1"})).error == (
        "Parameter message must be an HL7 message starting with MSH.")


@pytest.mark.parametrize("code", ["CA"])
def test_it_accepts_a_commit_ack(listener: Listener, code: str) -> None:
    listener.mode = code
    assert run(CheckSpec("mllp", listener.target, {})).status == "ok"


def test_a_negative_ack_fails_with_the_msa_text_truncated(listener: Listener) -> None:
    listener.mode = "AE"
    result = run(CheckSpec("mllp", listener.target, {}))
    assert result.status == "failed"
    assert result.error.startswith("ACK AE: PID-3 患者号不存在 (detail)")
    assert len(result.error) <= 210
    got = {s.name: s for s in result.samples}
    assert got["probe_success"].value == 0 and got["careops_hl7_ack_code"].labels == {
        "code": "AE"}


def test_an_ack_for_another_message_fails(listener: Listener) -> None:
    listener.mode = "other-id"
    result = run(CheckSpec("mllp", listener.target, {}))
    assert result.status == "failed"
    assert result.error.startswith("The ACK is for another message (control id "
                                   "CO-SOMEONE-ELSE, sent CO")


def test_an_ack_in_pieces_is_read_whole(listener: Listener) -> None:
    listener.mode = "slow"
    assert run(CheckSpec("mllp", listener.target, {})).status == "ok"


@pytest.mark.parametrize(("mode", "status", "error"), [
    ("garbage", "rejected", "The answer is not an MLLP frame."),
    ("no-msa", "rejected", "The answer is not an HL7 ACK (no MSH or MSA segment)."),
    ("XX", "rejected", "The ACK code XX is not an HL7 acknowledgment code."),
    ("silent", "timeout", "No answer within 0.5 s."),
])
def test_bad_answers_are_rejected_or_time_out(listener: Listener, mode: str, status: str,
                                               error: str) -> None:
    listener.mode = mode
    result = run(CheckSpec("mllp", listener.target, {}, timeout_s=0.5))
    assert (result.status, result.error) == (status, error)
    assert {s.name: s.value for s in result.samples}["probe_success"] == 0


def test_a_listener_that_hangs_up_fails(listener: Listener) -> None:
    listener.mode = "close"
    result = run(CheckSpec("mllp", listener.target, {}))
    assert (result.status, result.error) == (
        "failed", f"{listener.target} closed the connection without an ACK.")


_text = st.text(st.characters(blacklist_characters="|\r\n^~\\&\x0b\x1c",
                              blacklist_categories=("Cs",)), max_size=40)


@given(st.binary(max_size=200).filter(lambda b: hl7mllp.END not in b),
       st.binary(max_size=50))
def test_unframe_returns_the_first_framed_message(body: bytes, tail: bytes) -> None:
    framed = hl7mllp.frame(body)
    assert hl7mllp.unframe(framed + tail) == body
    assert hl7mllp.unframe(framed[:-1]) is None  # the end has not arrived yet


@given(st.text("ABCDEFGHIJ0123456789", min_size=1, max_size=20),
       st.sampled_from(sorted(hl7mllp.ACCEPTED | hl7mllp.REFUSED)), _text)
def test_a_probe_message_and_its_ack_round_trip(control: str, code: str, text: str) -> None:
    message = hl7mllp.probe_message(control, dt.datetime(2026, 1, 2, 3, 4, 5))
    assert hl7mllp.control_id(message) == control
    ack = hl7mllp.parse_ack(ack_for(message, code, text))
    assert (ack.code, ack.control_id, ack.text) == (code, control, text.strip())
    assert ack.accepted == (code in ("AA", "CA"))
