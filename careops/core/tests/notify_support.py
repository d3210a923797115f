"""Local servers for the notification tests: an HTTP receiver and an SMTP server.

The HTTP receiver stands in for the WeCom, DingTalk and Feishu servers (which cannot
be reached from a test) and for a customer's webhook endpoint: it records every
request and answers from a script of responses. The SMTP server is a real one
(aiosmtpd) listening on 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from careops.core.tests.processes import free_port


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    headers: Message  # case-insensitive, like HTTP
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Receiver:
    """What the fake platform received and what it will answer next."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    # (status, JSON-able body) answered in order; the last one repeats.
    script: list[tuple[int, Any]] = field(default_factory=lambda: [(200, {"errcode": 0,
                                                                          "errmsg": "ok"})])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, *responses: tuple[int, Any]) -> None:
        self.script = list(responses)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            parts = urlsplit(self.path)
            receiver.requests.append(Received(parts.path, parse_qs(parts.query),
                                              self.headers, body))
            status, answer = (receiver.script.pop(0) if len(receiver.script) > 1
                              else receiver.script[0])
            raw = json.dumps(answer, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(rec))
    rec.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield rec
    server.shutdown()
    server.server_close()


def dead_port() -> int:
    """A port on which nothing listens (connection refused at once)."""
    return free_port()


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content or envelope.content,
                                     policy=policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


@dataclass
class SmtpServer:
    port: int
    mailbox: Mailbox


def _start_smtp(**kwargs: Any) -> Iterator[SmtpServer]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield SmtpServer(port, mailbox)
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    yield from _start_smtp()


USERNAME, PASSWORD = "careops@hospital.example", "Smtp-Pa55-word"


@pytest.fixture
def smtp_auth_server() -> Iterator[SmtpServer]:
    logins: list[tuple[str, str]] = []

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode()
            password = auth_data.password.decode()
            logins.append((login, password))
            return AuthResult(success=(login, password) == (USERNAME, PASSWORD),
                              handled=False)
        return AuthResult(success=False, handled=False)

    servers = _start_smtp(authenticator=authenticate, auth_required=True,
                          auth_require_tls=False)
    server = next(servers)
    server.mailbox.logins = logins
    yield server
    servers.close()
