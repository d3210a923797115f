"""Email intake: read an IMAP mailbox, open tickets from new mail and thread replies
into their tickets (docs/servicedesk.md, "Email intake").

:func:`poll` logs in (TLS, STARTTLS or plain on a local network; every network
operation with a timeout), selects the folder read-only, and reads the messages
whose UID is above the last one handled, at most :data:`MAX_PER_POLL` a time. It
never changes the mailbox (no flags, no deletions). Each message is recorded once as
an :class:`InboundMail` with its outcome:

* a reply — In-Reply-To/References naming the Message-ID that opened a ticket, any
  mail already added to one, or an acknowledgement CareOps sent; or the subject
  naming a ticket number in brackets (``[INC-2026-000012]``) — becomes a public
  comment by the sender, quoted history cut off, attachments added;
* any other mail opens a ticket of the mailbox's kind on the email channel, reported
  by the active user whose address is the sender's, and is acknowledged (when the
  mailbox names a channel) with a mail the sender's reply threads back from;
* mail from unknown addresses, automatic replies, unreadable messages and what the
  sender may not do are refused with the reason.

The UID high-water mark advances only past messages handled; a UIDVALIDITY change
(the folder was recreated) starts again from the first message, and the records keep
that from duplicating anything.
"""

from __future__ import annotations

import datetime as dt
import imaplib
import logging
import re
import ssl
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from careops.core import logredact
from careops.core import secrets as secret_store
from careops.core.choices import NotificationKind, NotificationSeverity
from careops.core.notify import queue
from careops.logic import mail as logic
from careops.servicedesk.actions import attachments
from careops.servicedesk.actions.tickets import _event, comment, open_ticket
from careops.servicedesk.models import Channel, EventKind, InboundMail, Mailbox, Ticket
from careops.servicedesk.models import TicketEvent as Event

logger = logging.getLogger("careops.mail")

IMAP_TIMEOUT = 30  # seconds, for the connection and every command
MAX_PER_POLL = 200
ACK_EVENT = "ticket.email_ack"
OPENED, REPLY, REFUSED = "opened", "reply", "refused"


class MailboxError(Exception):
    """The mailbox cannot be read (connection, login, folder); the text is safe to show."""


@dataclass
class PollResult:
    mailbox: str
    fetched: int = 0
    opened: int = 0
    replies: int = 0
    refused: int = 0
    duplicates: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    def count(self, outcome: str) -> None:
        if outcome == OPENED:
            self.opened += 1
        elif outcome == REPLY:
            self.replies += 1
        elif outcome == REFUSED:
            self.refused += 1
        else:
            self.duplicates += 1


def max_message_bytes() -> int:
    """Messages larger than this are refused unread (four attachments' worth)."""
    return 4 * attachments.max_bytes() + 1024 * 1024


# --- the IMAP side ------------------------------------------------------------------

def _safe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, imaplib.IMAP4.error) and text.startswith(("b'", 'b"')):
        text = text[2:-1]
    return logredact.redact(text)[:500]


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    password = ""
    if mailbox.password is not None:
        try:
            password = secret_store.reveal_for_reuse(mailbox.password,
                                                     purpose=f"mailbox {mailbox.pk}")
        except secret_store.SecretUnreadable:
            raise MailboxError(_("The stored password cannot be decrypted with the "
                                 "configured key; enter it again.")) from None
    context = ssl.create_default_context()
    try:
        conn: imaplib.IMAP4
        if mailbox.security == "ssl":
            conn = imaplib.IMAP4_SSL(mailbox.host, mailbox.port, ssl_context=context,
                                     timeout=IMAP_TIMEOUT)
        else:
            conn = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=IMAP_TIMEOUT)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(_("Cannot connect to %(host)s:%(port)s: %(reason)s")
                           % {"host": mailbox.host, "port": mailbox.port,
                              "reason": _safe(exc)}) from None
    try:
        if mailbox.security == "starttls":
            conn.starttls(ssl_context=context)
        conn.login(mailbox.username, password)
    except (OSError, imaplib.IMAP4.error) as exc:
        _close(conn)
        raise MailboxError(_("The server refused the login of %(user)s: %(reason)s")
                           % {"user": mailbox.username, "reason": _safe(exc)}) from None
    return conn


def _close(conn: imaplib.IMAP4) -> None:
    try:
        conn.logout()
    except Exception:  # the connection is going away anyway
        logger.debug("IMAP logout failed", exc_info=True)


def _select(conn: imaplib.IMAP4, mailbox: Mailbox) -> int:
    """Select the folder read-only; its UIDVALIDITY."""
    status, data = conn.select(logic.imap_folder(mailbox.folder), readonly=True)
    if status != "OK":
        raise MailboxError(_("The folder %(folder)s cannot be opened: %(reason)s")
                           % {"folder": mailbox.folder,
                              "reason": b" ".join(d for d in data if isinstance(d, bytes))
                              .decode("utf-8", "replace")})
    _name, values = conn.response("UIDVALIDITY")
    try:
        return int(values[0]) if values and values[0] else 0
    except (TypeError, ValueError):
        return 0


def _new_uids(conn: imaplib.IMAP4, after: int) -> list[int]:
    status, data = conn.uid("SEARCH", "UID", f"{after + 1}:*")
    if status != "OK":
        raise MailboxError(_("The server refused the search for new messages."))
    found = [int(u) for u in b" ".join(d for d in data if d).split() if u.isdigit()]
    # "n:*" always matches the last message, even when its UID is below n.
    return sorted(u for u in set(found) if u > after)


SIZE_RE = re.compile(rb"UID (\d+).*RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+).*UID (\d+)")


def _sizes(conn: imaplib.IMAP4, uids: list[int]) -> dict[int, int]:
    if not uids:
        return {}
    status, data = conn.uid("FETCH", ",".join(map(str, uids)), "(RFC822.SIZE)")
    sizes: dict[int, int] = {}
    for line in data if status == "OK" else []:
        text = line[0] if isinstance(line, tuple) else line
        match = SIZE_RE.search(text) if isinstance(text, bytes) else None
        if match:
            uid, size = (match.group(1), match.group(2)) if match.group(1) \
                else (match.group(4), match.group(3))
            sizes[int(uid)] = int(size)
    return sizes


def _fetch(conn: imaplib.IMAP4, uid: int, part: str = "BODY.PEEK[]") -> bytes | None:
    status, data = conn.uid("FETCH", str(uid), f"({part})")
    if status != "OK":
        raise MailboxError(_("The server refused to send message %(uid)s.") % {"uid": uid})
    for item in data:
        if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[1], bytes):
            return item[1]
    return None  # expunged meanwhile


# --- polling --------------------------------------------------------------------------

def poll(mailbox: Mailbox, now: dt.datetime | None = None) -> PollResult:
    """Read the new messages of ``mailbox`` and handle each (see the module's text)."""
    now = now or timezone.now()
    result = PollResult(mailbox.name)
    last_uid, validity = mailbox.last_uid, mailbox.uid_validity
    with translation.override(settings.LANGUAGE_CODE):
        try:
            conn = _connect(mailbox)
        except MailboxError as exc:
            result.error = str(exc)
        else:
            try:
                current = _select(conn, mailbox)
                if current != validity:
                    if validity:
                        logger.info("mailbox %s: UIDVALIDITY changed (%s -> %s), reading "
                                    "the folder again", mailbox.pk, validity, current)
                    last_uid, validity = 0, current
                uids = _new_uids(conn, last_uid)[:MAX_PER_POLL]
                sizes = _sizes(conn, uids)
                for uid in uids:
                    outcome = _read_one(conn, mailbox, uid, sizes.get(uid, 0), now)
                    if outcome is not None:
                        result.fetched += 1
                        result.count(outcome)
                    last_uid = uid
            except MailboxError as exc:
                result.error = str(exc)
            except (OSError, imaplib.IMAP4.error) as exc:
                result.error = _("The connection failed: %(reason)s") % {"reason": _safe(exc)}
            except Exception as exc:  # stop here; the next poll retries this message
                logger.exception("mailbox %s: handling a message failed", mailbox.pk)
                result.error = _("Handling a message failed (%(error)s); it is tried again "
                                 "at the next poll.") % {"error": type(exc).__name__}
            finally:
                _close(conn)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_uid=last_uid, uid_validity=validity, last_polled_at=now,
        last_error=result.error)
    mailbox.last_uid, mailbox.uid_validity = last_uid, validity
    mailbox.last_polled_at, mailbox.last_error = now, result.error
    log = logger.warning if result.error else logger.info
    log("mailbox %s: %s new, %s opened, %s replies, %s refused%s", mailbox.pk,
        result.fetched, result.opened, result.replies, result.refused,
        f"; error: {result.error}" if result.error else "")
    return result


def poll_enabled(now: dt.datetime | None = None) -> list[PollResult]:
    """Poll every enabled mailbox (the periodic task)."""
    return [poll(mailbox, now=now) for mailbox in
            Mailbox.objects.filter(enabled=True).select_related("password", "reply_channel")]


def _read_one(conn: imaplib.IMAP4, mailbox: Mailbox, uid: int, size: int,
              now: dt.datetime) -> str | None:
    if size > max_message_bytes():
        head = _fetch(conn, uid, "BODY.PEEK[HEADER]")
        if head is None:
            return None
        return handle(mailbox, uid, head, now=now, too_large=size)
    raw = _fetch(conn, uid)
    if raw is None:
        return None
    return handle(mailbox, uid, raw, now=now)


# --- one message ------------------------------------------------------------------

class Refused(Exception):
    """The message is recorded refused with this reason."""


def handle(mailbox: Mailbox, uid: int, raw: bytes, *, now: dt.datetime | None = None,
           too_large: int = 0) -> str:
    """Handle one raw message: the outcome (opened, reply, refused or duplicate)."""
    now = now or timezone.now()
    try:
        parsed: logic.ParsedMail | None = logic.parse(raw)
        problem = ""
    except logic.MailParseError as exc:
        parsed, problem = None, _("The message cannot be read: %(reason)s") % {"reason": exc}
    message_id = parsed.message_id if parsed else logic.parse_fallback_id(raw)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = InboundMail.objects.create(
                    mailbox=mailbox, uid=uid, message_id=message_id[:250],
                    sender=parsed.sender[:250] if parsed else "",
                    subject=parsed.subject[:250] if parsed else "", received_at=now,
                    outcome=REFUSED, reason=problem)
        except IntegrityError:
            return "duplicate"
        if parsed is None:
            return REFUSED
        try:
            with transaction.atomic():
                if too_large:
                    raise Refused(_("The message is %(size).1f MB, more than the %(max)d MB "
                                    "accepted.") % {"size": too_large / 1048576,
                                                    "max": max_message_bytes() // 1048576})
                record.outcome, record.ticket = _act(mailbox, parsed, now)
                record.reason = ""
        except Refused as exc:
            record.reason = str(exc)
        except (ValidationError, PermissionDenied) as exc:
            record.reason = _message(exc)
        record.save(update_fields=["outcome", "ticket", "reason"])
    return record.outcome


def _message(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(f"{field}: {' '.join(str(m) for m in msgs)}"
                             for field, msgs in exc.message_dict.items())
        return " ".join(exc.messages)
    return str(exc) or _("The sender may not do this.")


def _act(mailbox: Mailbox, parsed: logic.ParsedMail,
         now: dt.datetime) -> tuple[str, Ticket]:
    if parsed.automatic:
        raise Refused(_("An automatic reply or bulk mail: not answered."))
    own = mailbox.username.strip().lower()
    if parsed.sender == own:
        raise Refused(_("Sent from the mailbox's own address."))
    sender = _sender(parsed.sender)
    ticket = find_thread(parsed)
    if ticket is not None:
        _reply(sender, ticket, parsed, now)
        return REPLY, ticket
    return OPENED, _open(mailbox, sender, parsed, now)


def _sender(address: str) -> Any:
    users = list(get_user_model().objects.filter(email__iexact=address, is_active=True)[:2])
    if not users:
        raise Refused(_("No active user has the address %(address)s.") % {"address": address})
    if len(users) > 1:
        raise Refused(_("Several users have the address %(address)s.") % {"address": address})
    return users[0]


def find_thread(parsed: logic.ParsedMail) -> Ticket | None:
    """The ticket ``parsed`` answers, by its headers or by a number in its subject."""
    ids = list(parsed.thread_ids)
    if ids:
        ticket = Ticket.objects.filter(email_thread__in=ids).order_by("pk").first()
        if ticket is not None:
            return ticket
        known = (InboundMail.objects.filter(message_id__in=ids, ticket__isnull=False)
                 .select_related("ticket").order_by("pk").first())
        if known is not None:
            return known.ticket
        ack = (Event.objects.filter(kind=EventKind.EMAIL, from_value__in=ids)
               .select_related("ticket").order_by("pk").first())
        if ack is not None:
            return ack.ticket
    for number in logic.ticket_numbers(parsed.subject):
        ticket = Ticket.objects.filter(number=number).first()
        if ticket is not None:
            return ticket
    return None


def _reply(sender: Any, ticket: Ticket, parsed: logic.ParsedMail, now: dt.datetime) -> None:
    text = logic.strip_quoted(parsed.body) if parsed.body else ""
    if not text.strip():
        if not parsed.attachments:
            raise Refused(_("The reply is empty."))
        text = _("(Files sent by email.)")
    comment(sender, ticket, text, public=True, now=now)
    _attach(sender, ticket, parsed, now)


def _title(parsed: logic.ParsedMail) -> str:
    title = parsed.subject.strip()
    if not title:
        first = next((line.strip() for line in parsed.body.splitlines() if line.strip()), "")
        title = first[:80] or _("Email from %(address)s") % {"address": parsed.sender}
    return title[:200]


def _open(mailbox: Mailbox, sender: Any, parsed: logic.ParsedMail,
          now: dt.datetime) -> Ticket:
    ticket = open_ticket(sender, mailbox.kind, _title(parsed), parsed.body, items=[],
                         channel=Channel.EMAIL, now=now)
    Ticket.objects.filter(pk=ticket.pk).update(email_thread=parsed.message_id[:250])
    ticket.email_thread = parsed.message_id[:250]
    _attach(sender, ticket, parsed, now)
    acknowledge(mailbox, ticket, parsed, now)
    return ticket


def _attach(sender: Any, ticket: Ticket, parsed: logic.ParsedMail, now: dt.datetime) -> None:
    limit = attachments.max_bytes()
    for item in parsed.attachments:
        if not item.data:
            continue
        if len(item.data) > limit:
            _event(ticket, sender, EventKind.EMAIL, now, after=item.name[:200], note=_(
                "The attachment %(name)s (%(size).1f MB) was not stored: at most %(max)d MB "
                "are accepted. Ask the sender for it another way.")
                % {"name": item.name, "size": len(item.data) / 1048576,
                   "max": limit // 1048576})
            continue
        try:
            attachments.add(sender, ticket, upload=item.data, name=item.name, now=now)
        except ValidationError as exc:
            _event(ticket, sender, EventKind.EMAIL, now, after=item.name[:200],
                   note=_("The attachment %(name)s was not stored: %(reason)s")
                   % {"name": item.name, "reason": _message(exc)})



def acknowledge(mailbox: Mailbox, ticket: Ticket, parsed: logic.ParsedMail,
                now: dt.datetime) -> None:
    """Answer the sender with the ticket's number, through the mailbox's email channel;
    the answer's Message-ID is kept on the timeline so that a reply to it threads."""
    channel = mailbox.reply_channel
    if channel is None or not channel.enabled or channel.kind != NotificationKind.EMAIL:
        return
    domain = mailbox.username.rpartition("@")[2] if "@" in mailbox.username else None
    ack_id = make_msgid(idstring=ticket.number, domain=domain)
    subject = f"[{ticket.number}] {ticket.title}"
    headers = {"Message-ID": ack_id, "In-Reply-To": parsed.message_id,
               "References": " ".join((*parsed.references, parsed.message_id)[-10:]),
               "Auto-Submitted": "auto-replied"}
    if "@" in mailbox.username:
        headers["Reply-To"] = mailbox.username
    text = _("We received your email and opened ticket %(number)s: %(title)s\n\n"
             "To add to it, reply to this email and keep [%(number)s] in the subject.") % {
        "number": ticket.number, "title": ticket.title}
    queue(channel, event=ACK_EVENT, title=subject, text=text,
          severity=NotificationSeverity.INFO, link=ticket.get_absolute_url(),
          data={"recipients": [parsed.sender], "subject": subject, "headers": headers,
                "ticket": ticket.number})
    _event(ticket, None, EventKind.EMAIL, now, before=ack_id[:200], after=parsed.sender[:200],
           note=_("Acknowledgement sent to %(address)s.") % {"address": parsed.sender})
