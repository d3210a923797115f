"""Reading an incoming email: the parts the service desk needs (docs/servicedesk.md,
"Email intake").

Pure Python (stdlib ``email``, no Django, no I/O). Chinese mail clients label their
text GB2312 or GBK but write GB18030 characters, or send raw 8-bit GBK headers: every
GB label is read as GB18030 (a superset of both), and undeclared 8-bit text is tried
as UTF-8, then GB18030.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser

# Labels that all mean "a subset of GB18030" in practice.
GB_ALIASES = frozenset({"gb2312", "gbk", "x-gbk", "cp936", "ms936", "euc-cn", "gb_2312-80",
                        "gb2312-80", "x-euc-cn", "csgb2312", "chinese", "windows-936"})
NUMBER_RE = re.compile(r"\[\s*((?:INC|REQ|BUG|CHG|PRB)-\d{4}-\d{6})\s*\]", re.IGNORECASE)
MSGID_RE = re.compile(r"<[^<>\s]+>")
MAX_MSGID = 250
# Lines that start the quoted history under a reply, in the forms common mail
# clients write (Outlook, Foxmail/QQ, NetEase, Gmail, Apple Mail, Thunderbird).
QUOTE_HEADS = (
    re.compile(r"^-{2,}\s*(original message|forwarded message)\s*-{2,}\s*$", re.I),
    re.compile(r"^-*\s*(原始邮件|原邮件|转发邮件|回复的原邮件)\s*-*\s*$"),
    re.compile(r"^On .{0,200} wrote:\s*$", re.I),
    re.compile(r"^在\s?.{0,200}(写道|wrote)\s*[:：]\s*$"),
    re.compile(r"^(From|发件人)\s*[:：].+$", re.I),
    re.compile(r"^_{10,}\s*$"),
)
AUTO_HEADERS = ("x-autoreply", "x-autorespond")


class MailParseError(ValueError):
    """The message cannot be read; the text says why."""


@dataclass(frozen=True)
class MailAttachment:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    sender: str              # the address, lower case
    sender_name: str
    subject: str
    body: str
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    date: dt.datetime | None = None
    automatic: bool = False  # an auto-reply, bounce or bulk mail: never answered
    attachments: tuple[MailAttachment, ...] = field(default=())

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Every Message-ID this mail answers, the nearest first."""
        seen: list[str] = []
        for mid in (*self.in_reply_to, *reversed(self.references)):
            if mid not in seen:
                seen.append(mid)
        return tuple(seen)


# --- decoding ---------------------------------------------------------------------

def codec_for(charset: str | None) -> str | None:
    """The Python codec to read ``charset`` with (GB labels: GB18030)."""
    if not charset:
        return None
    name = charset.strip().strip('"').lower()
    if name in GB_ALIASES or name.startswith("gb2312"):
        return "gb18030"
    return name


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text of ``data``: in its declared charset when that works, else UTF-8, else
    GB18030, else Latin-1 (which always decodes)."""
    tried: list[str] = []
    for codec in (codec_for(charset), "utf-8", "gb18030"):
        if codec is None or codec in tried:
            continue
        tried.append(codec)
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def _unescape_raw(value: str) -> str:
    """Undo the surrogate escapes the parser leaves for raw 8-bit header bytes."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return decode_bytes(value.encode("ascii", "surrogateescape"))


def decode_header_value(raw: str) -> str:
    """A header's text: encoded words decoded by their (aliased) charset, raw 8-bit
    bytes guessed, folding removed."""
    value = _unescape_raw(raw)
    try:
        chunks = decode_header(value)
    except Exception:  # a malformed encoded word: keep the text as it came
        return " ".join(value.split())
    out: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset))
        else:
            out.append(chunk)
    return " ".join("".join(out).split())


def message_ids(value: str | None) -> tuple[str, ...]:
    """The ``<id@host>`` tokens in a Message-ID, In-Reply-To or References value."""
    if not value:
        return ()
    return tuple(m for m in MSGID_RE.findall(value) if len(m) <= MAX_MSGID)


def ticket_numbers(subject: str) -> tuple[str, ...]:
    """Ticket numbers named in brackets in a subject, e.g. ``[INC-2026-000012]``."""
    return tuple(m.upper() for m in NUMBER_RE.findall(subject))


def imap_folder(name: str) -> str:
    """``name`` as an IMAP mailbox argument: modified UTF-7 (RFC 3501 5.1.3), quoted."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode("ascii")
            out.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    quoted = "".join(out).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}"'


# --- HTML and quoted history --------------------------------------------------------

class _TextExtractor(HTMLParser):
    BLOCK = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6",
                       "table", "ul", "ol", "blockquote", "pre", "hr", "section"})
    SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Readable plain text of an HTML mail body (no tags, scripts or styles)."""
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # HTMLParser is lenient; this is only a last resort
        return html.unescape(re.sub(r"<[^>]*>", " ", markup)).strip()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def strip_quoted(text: str) -> str:
    """A reply without the history quoted under it: cut at the first line that starts
    it ("On … wrote:", "-----原始邮件-----", "发件人:" …) and drop ``>`` lines. When
    nothing would be left, the text is kept whole."""
    kept: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if any(head.match(stripped) for head in QUOTE_HEADS):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    result = "\n".join(kept).strip()
    return result or text.strip()


# --- the message ---------------------------------------------------------------------

def _raw_header(msg: Message, name: str) -> str | None:
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return None


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_bytes(payload, part.get_content_charset())


def _filename(part: Message) -> str:
    name = part.get_filename() or part.get_param("name") or ""
    if not isinstance(name, str):
        name = str(name)
    return decode_header_value(name) if name else ""


def _is_attachment(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment" or bool(_filename(part)) \
        or part.get_content_type() == "message/rfc822"


def _leaves(part: Message) -> list[Message]:
    """The non-multipart parts, not descending into attached messages."""
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        return [part]
    payload = part.get_payload()
    children = payload if isinstance(payload, list) else []
    return [leaf for child in children if isinstance(child, Message)
            for leaf in _leaves(child)]


def _walk(msg: Message) -> tuple[str, list[MailAttachment]]:
    plain: str | None = None
    markup: str | None = None
    attachments: list[MailAttachment] = []
    for part in _leaves(msg):
        content_type = part.get_content_type()
        if _is_attachment(part):
            data = b""
            if content_type == "message/rfc822":
                inner = part.get_payload()
                if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                    data = inner[0].as_bytes()
                name = _filename(part) or "message.eml"
            else:
                payload = part.get_payload(decode=True)
                data = payload if isinstance(payload, bytes) else b""
                name = _filename(part) or "attachment"
            attachments.append(MailAttachment(name, content_type, data))
            continue
        if content_type == "text/plain" and plain is None:
            plain = _part_text(part)
        elif content_type == "text/html" and markup is None:
            markup = _part_text(part)
    if plain is not None and plain.strip():
        body = plain
    elif markup is not None:
        body = html_to_text(markup)
    else:
        body = plain or ""
    return body.replace("\r\n", "\n").strip(), attachments


def parse_fallback_id(raw: bytes) -> str:
    """A stable stand-in Message-ID for a message without one (from its content)."""
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.careops>"


def parse(raw: bytes) -> ParsedMail:
    """Read ``raw`` (the full RFC 5322 message). MailParseError when it cannot be."""
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:
        raise MailParseError(f"not a readable message ({type(exc).__name__})") from exc
    if not isinstance(msg, EmailMessage | Message) or not list(msg.raw_items()):
        raise MailParseError("the message has no headers")
    sender_raw = _unescape_raw(_raw_header(msg, "From") or "")
    name, address = parseaddr(sender_raw)
    if "@" not in address:
        candidates = [a for _n, a in getaddresses([sender_raw]) if "@" in a]
        address = candidates[0] if candidates else ""
    name = decode_header_value(name)
    if not address:
        raise MailParseError("the message has no sender address")
    subject = decode_header_value(_raw_header(msg, "Subject") or "")
    ids = message_ids(_raw_header(msg, "Message-ID"))
    message_id = ids[0] if ids else parse_fallback_id(raw)
    try:
        body, attachments = _walk(msg)
    except Exception as exc:
        raise MailParseError(f"the body cannot be read ({type(exc).__name__}: {exc})") \
            from exc
    date = None
    date_raw = _raw_header(msg, "Date")
    if date_raw:
        try:
            date = parsedate_to_datetime(date_raw.strip())
        except (TypeError, ValueError, IndexError):
            date = None
        if date is not None and date.tzinfo is None:
            date = date.replace(tzinfo=dt.UTC)
    auto_submitted = (_raw_header(msg, "Auto-Submitted") or "no").strip().lower()
    precedence = (_raw_header(msg, "Precedence") or "").strip().lower()
    automatic = (auto_submitted != "no" or precedence in ("bulk", "junk", "list")
                 or any(_raw_header(msg, h) is not None for h in AUTO_HEADERS)
                 or address.lower().startswith(("mailer-daemon@", "postmaster@")))
    return ParsedMail(
        message_id=message_id, sender=address.strip().lower(), sender_name=name.strip(),
        subject=subject, body=body, in_reply_to=message_ids(_raw_header(msg, "In-Reply-To")),
        references=message_ids(_raw_header(msg, "References")), date=date,
        automatic=automatic, attachments=tuple(attachments))
