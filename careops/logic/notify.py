"""Notification payloads, signatures and response checks for each channel kind.

Pure Python (no Django, no I/O): ``careops.core.notify`` builds a request with
these functions and sends it. Formats follow each platform's documentation:

- WeCom group bot (企业微信群机器人): POST ``{"msgtype": "markdown", ...}`` to
  ``/cgi-bin/webhook/send?key=KEY``; answers ``{"errcode": 0, "errmsg": "ok"}``.
- DingTalk custom robot (钉钉自定义机器人): POST markdown to
  ``/robot/send?access_token=TOKEN``; with signing, ``&timestamp=MS&sign=SIGN`` where
  SIGN = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{MS}\\n{secret}"))).
  Answers ``{"errcode": 0}``.
- Feishu custom bot (飞书自定义机器人): POST to ``/open-apis/bot/v2/hook/TOKEN``; with
  signing, the body carries ``timestamp`` (seconds) and ``sign`` =
  base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b"")). Answers
  ``{"code": 0}`` (older deployments: ``{"StatusCode": 0}``).
- Generic webhook: JSON ``{event, title, text, severity, link, sent_at, data}`` with
  ``X-CareOps-Timestamp`` and ``X-CareOps-Signature: sha256=HEX`` where HEX =
  HMAC-SHA256(key=secret, msg=f"{timestamp}.{body}").
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit, urlunsplit

WECOM = "wecom"
DINGTALK = "dingtalk"
FEISHU = "feishu"
WEBHOOK = "webhook"
EMAIL = "email"
BOT_KINDS = (WECOM, DINGTALK, FEISHU)

# Official endpoints. A channel may override the origin (scheme://host:port), e.g. for a
# forwarding proxy in the hospital's DMZ or a privately deployed platform.
OFFICIAL_BASE_URL = {
    WECOM: "https://qyapi.weixin.qq.com",
    DINGTALK: "https://oapi.dingtalk.com",
    FEISHU: "https://open.feishu.cn",
}
_TOKEN_URL = {
    WECOM: "/cgi-bin/webhook/send?key={token}",
    DINGTALK: "/robot/send?access_token={token}",
    FEISHU: "/open-apis/bot/v2/hook/{token}",
}
# Message size limits of the platforms, in UTF-8 bytes (kept a little under).
_LIMIT_BYTES = {WECOM: 4000, DINGTALK: 18000, FEISHU: 18000}

SIGNATURE_HEADER = "X-CareOps-Signature"
TIMESTAMP_HEADER = "X-CareOps-Timestamp"
EVENT_HEADER = "X-CareOps-Event"
USER_AGENT = "CareOps-Notifier/1"

_TOKEN_RE = re.compile(r"^[A-Za-z0-9._~-]{8,200}$")
_EMAIL_RE = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_MOBILE_RE = re.compile(r"^\+?[0-9][0-9-]{4,19}$")


@dataclass(frozen=True)
class Message:
    """What a notification says, independent of the channel."""

    event: str
    title: str
    text: str
    severity: str = "info"
    link: str = ""
    sent_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    data: Mapping[str, Any] = field(default_factory=dict)
    # The severity in the reader's language ("警告"); the caller translates it.
    severity_label: str = ""


@dataclass(frozen=True)
class HttpPost:
    """One HTTP POST to make: where, what, with which headers."""

    url: str
    body: bytes
    headers: Mapping[str, str]


@dataclass(frozen=True)
class Outcome:
    ok: bool
    summary: str


# --- small validators shared with the Django side ---------------------------------

def is_email(value: str) -> bool:
    return bool(_EMAIL_RE.match(value)) and len(value) <= 254


def is_mobile(value: str) -> bool:
    return bool(_MOBILE_RE.match(value))


def is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    try:
        _ = parts.port
    except ValueError:
        return False
    return True


def is_bot_token(value: str) -> bool:
    return bool(_TOKEN_RE.match(value))


def bot_url(kind: str, address: str, base_url: str = "") -> str:
    """The URL to post to for a bot channel.

    ``address`` is what the platform hands out: the whole webhook URL or only its
    key/token. ``base_url`` (optional) replaces the scheme and host, keeping the path
    and query, so that a forwarding proxy or a test receiver can stand in.
    """
    address = address.strip()
    url = address if "://" in address else (
        OFFICIAL_BASE_URL[kind] + _TOKEN_URL[kind].format(token=quote(address, safe="")))
    if base_url:
        base = urlsplit(base_url.strip())
        parts = urlsplit(url)
        prefix = base.path.rstrip("/")
        url = urlunsplit((base.scheme, base.netloc, prefix + parts.path, parts.query, ""))
    return url


def truncate_utf8(text: str, max_bytes: int, marker: str = "…") -> str:
    """``text`` cut so that its UTF-8 form fits in ``max_bytes`` (never mid-character)."""
    raw = text.encode("utf-8")
    if len(raw) <= max_bytes:
        return text
    room = max(0, max_bytes - len(marker.encode("utf-8")))
    return raw[:room].decode("utf-8", errors="ignore") + marker


def _json_bytes(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"),
                      default=str).encode("utf-8")


def _json_headers() -> dict[str, str]:
    return {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}


def _label(msg: Message) -> str:
    return msg.severity_label or msg.severity


def _markdown(msg: Message, *, title_prefix: str = "") -> str:
    lines = [f"### {title_prefix}{msg.title}", "", msg.text]
    if msg.link:
        lines += ["", f"[{msg.link}]({msg.link})"]
    return "\n".join(lines)


# --- WeCom ------------------------------------------------------------------------

_WECOM_COLOUR = {"info": "info", "warning": "warning", "critical": "warning"}


def wecom_request(url: str, msg: Message) -> HttpPost:
    colour = _WECOM_COLOUR.get(msg.severity, "comment")
    label = _label(msg)
    content = _markdown(msg, title_prefix=f'<font color="{colour}">[{label}]</font> ')
    payload = {"msgtype": "markdown",
               "markdown": {"content": truncate_utf8(content, _LIMIT_BYTES[WECOM])}}
    return HttpPost(url=url, body=_json_bytes(payload), headers=_json_headers())


# --- DingTalk ---------------------------------------------------------------------

def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The ``sign`` query value (already url-encoded)."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def dingtalk_request(
    url: str,
    msg: Message,
    *,
    secret: str = "",
    timestamp_ms: int = 0,
    at_mobiles: Sequence[str] = (),
    at_all: bool = False,
) -> HttpPost:
    label = _label(msg)
    text = _markdown(msg, title_prefix=f"[{label}] ")
    if at_mobiles:
        # DingTalk only notifies the people whose @mobile appears in the text.
        text += "\n\n" + " ".join(f"@{m}" for m in at_mobiles)
    payload = {
        "msgtype": "markdown",
        "markdown": {"title": msg.title, "text": truncate_utf8(text, _LIMIT_BYTES[DINGTALK])},
        "at": {"atMobiles": list(at_mobiles), "isAtAll": at_all},
    }
    if secret:
        sep = "&" if urlsplit(url).query else "?"
        url = f"{url}{sep}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"
    return HttpPost(url=url, body=_json_bytes(payload), headers=_json_headers())


# --- Feishu -----------------------------------------------------------------------

FEISHU_STYLES = ("card", "text")
_FEISHU_TEMPLATE = {"info": "blue", "warning": "orange", "critical": "red"}


def feishu_sign(secret: str, timestamp: int) -> str:
    """Feishu's signature: the HMAC *key* is ``"{timestamp}\\n{secret}"``, the message empty."""
    key = f"{timestamp}\n{secret}".encode()
    digest = hmac.new(key, b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_request(
    url: str,
    msg: Message,
    *,
    secret: str = "",
    timestamp: int = 0,
    style: str = "card",
    link_label: str = "Open",
) -> HttpPost:
    label = _label(msg)
    payload: dict[str, Any]
    if style == "text":
        text = f"[{label}] {msg.title}\n{msg.text}" + (f"\n{msg.link}" if msg.link else "")
        payload = {"msg_type": "text",
                   "content": {"text": truncate_utf8(text, _LIMIT_BYTES[FEISHU])}}
    else:
        elements: list[dict[str, Any]] = [
            {"tag": "div", "text": {"tag": "lark_md",
                                    "content": truncate_utf8(msg.text, _LIMIT_BYTES[FEISHU])}},
        ]
        if msg.link:
            elements.append({"tag": "action", "actions": [{
                "tag": "button", "type": "primary", "url": msg.link,
                "text": {"tag": "plain_text", "content": link_label}}]})
        payload = {"msg_type": "interactive", "card": {
            "header": {"template": _FEISHU_TEMPLATE.get(msg.severity, "grey"),
                       "title": {"tag": "plain_text", "content": f"[{label}] {msg.title}"}},
            "elements": elements}}
    if secret:
        payload = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **payload}
    return HttpPost(url=url, body=_json_bytes(payload), headers=_json_headers())


# --- generic webhook ----------------------------------------------------------------

def webhook_payload(msg: Message) -> dict[str, Any]:
    return {
        "event": msg.event,
        "title": msg.title,
        "text": msg.text,
        "severity": msg.severity,
        "link": msg.link,
        "sent_at": msg.sent_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "data": dict(msg.data),
    }


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 over ``"{timestamp}." + body`` with ``secret`` as key."""
    signed = f"{timestamp}.".encode("ascii") + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def webhook_request(url: str, msg: Message, *, secret: str = "", timestamp: int = 0) -> HttpPost:
    body = _json_bytes(webhook_payload(msg))
    headers = {**_json_headers(), EVENT_HEADER: msg.event, TIMESTAMP_HEADER: str(timestamp)}
    if secret:
        headers[SIGNATURE_HEADER] = webhook_signature(secret, timestamp, body)
    return HttpPost(url=url, body=body, headers=headers)


def verify_webhook_signature(
    secret: str, timestamp: int, body: bytes, signature: str, *, now: int, tolerance: int = 300
) -> bool:
    """For receivers: the signature matches and the timestamp is within ``tolerance`` s."""
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(webhook_signature(secret, timestamp, body), signature)


# --- email ------------------------------------------------------------------------

def email_message(
    msg: Message,
    *,
    from_address: str,
    to: Sequence[str],
    subject_prefix: str = "CareOps",
    html_body: bool = True,
    domain: str | None = None,
    subject: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """A MIME message: plain text, plus an HTML alternative when ``html_body``.

    ``subject`` replaces the usual "[prefix] [severity] title"; ``headers`` adds or
    replaces headers (Message-ID, In-Reply-To, References, Reply-To) for a mail that
    answers a person, such as the email intake's acknowledgement."""
    label = _label(msg)
    prefix = f"[{subject_prefix}] " if subject_prefix else ""
    mail = EmailMessage()
    mail["Subject"] = (subject or f"{prefix}[{label}] {msg.title}").replace("\n", " ")
    mail["From"] = from_address
    mail["To"] = ", ".join(to)
    mail["Date"] = format_datetime(msg.sent_at.astimezone(dt.UTC))
    mail["Message-ID"] = make_msgid(domain=domain)
    mail["X-CareOps-Event"] = msg.event
    for name, value in (headers or {}).items():
        del mail[name]
        mail[name] = " ".join(str(value).split())  # no line breaks: no header injection
    text = msg.text + (f"\n\n{msg.link}" if msg.link else "")
    mail.set_content(text, charset="utf-8")
    if html_body:
        paragraphs = "".join(
            f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in msg.text.split("\n\n"))
        link = (f'<p><a href="{html.escape(msg.link, quote=True)}">'
                f"{html.escape(msg.link)}</a></p>") if msg.link else ""
        mail.add_alternative(
            f"<!doctype html><html><body><h3>{html.escape(msg.title)}</h3>"
            f"{paragraphs}{link}</body></html>", subtype="html", charset="utf-8")
    return mail


# --- responses --------------------------------------------------------------------

def _summary(body: bytes, limit: int = 300) -> str:
    return truncate_utf8(body.decode("utf-8", errors="replace").strip(), limit)


def check_response(kind: str, status: int, body: bytes) -> Outcome:
    """Whether the platform accepted the message, and a short description.

    The bot platforms answer HTTP 200 even when they refuse a message (bad key,
    wrong signature, rate limit): their JSON code decides.
    """
    if not 200 <= status < 300:
        return Outcome(False, f"HTTP {status}: {_summary(body)}".rstrip(": "))
    if kind not in BOT_KINDS:
        return Outcome(True, f"HTTP {status}")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return Outcome(False, f"HTTP {status}: not a JSON answer: {_summary(body, 100)}")
    if not isinstance(data, dict):
        return Outcome(False, f"HTTP {status}: unexpected answer: {_summary(body, 100)}")
    if kind == FEISHU:
        code = data.get("code", data.get("StatusCode"))
        text = data.get("msg", data.get("StatusMessage", ""))
    else:
        code = data.get("errcode")
        text = data.get("errmsg", "")
    if code == 0:
        return Outcome(True, f"HTTP {status}: {text or 'ok'}")
    if code is None:
        return Outcome(False, f"HTTP {status}: no result code in answer: {_summary(body, 100)}")
    return Outcome(False, f"error {code}: {text}".rstrip(": "))


# --- retries ------------------------------------------------------------------------

# Seconds to wait after the 1st, 2nd, ... failed attempt; after the last, give up.
BACKOFF_SCHEDULE: tuple[int, ...] = (30, 120, 600, 1800)
JITTER = 0.1  # each delay varies by at most ±10 %


def backoff_delay(
    failures: int, jitter: float = 0.5, schedule: Sequence[int] = BACKOFF_SCHEDULE
) -> float | None:
    """Seconds to wait before the next attempt after ``failures`` failed ones, or ``None``.

    ``jitter`` in [0, 1] picks the point within ±``JITTER`` of the nominal delay
    (0.5 = exactly nominal), so that many notifications that failed together do not
    all retry in the same second. Delays never decrease: the schedule grows by more
    than the jitter band.
    """
    if failures < 1 or failures > len(schedule):
        return None
    jitter = min(1.0, max(0.0, jitter))
    nominal = schedule[failures - 1]
    return nominal * (1 - JITTER + 2 * JITTER * jitter)


def max_attempts(schedule: Sequence[int] = BACKOFF_SCHEDULE) -> int:
    return len(schedule) + 1
