"""Sending notifications: queue them with :func:`notify`, the worker delivers them.

    from careops.core.notify import notify
    notify("ticket.overdue", _("Ticket %(n)s is overdue") % ..., text, severity="warning",
           link=ticket_url)

:func:`notify` only writes rows and, after the surrounding transaction commits,
enqueues one Huey task per notification: the action that triggered it never waits
for a channel and never fails because of one. The worker (:func:`deliver`) claims a
row with a conditional UPDATE (so several workers can run), sends with a 10-second
timeout, logs a :class:`DeliveryAttempt` and on failure schedules the next try
following ``careops.logic.notify.BACKOFF_SCHEDULE``, then gives up. The periodic
:func:`sweep` finishes what a killed worker left in ``sending`` and re-enqueues
notifications whose scheduled retry was lost.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from careops.core import channel_fields, logredact
from careops.core import secrets as secret_store
from careops.core.choices import (
    DeliveryOutcome,
    NotificationKind,
    NotificationSeverity,
    NotificationStatus,
)
from careops.core.models.notifications import Channel, DeliveryAttempt, Notification
from careops.logic import notify as logic

logger = logging.getLogger("careops.notify")

SEND_TIMEOUT = 10  # seconds, for each connection and read
STUCK_AFTER = dt.timedelta(minutes=10)
# A pending notification whose retry is this late was lost by the queue: re-enqueue it.
OVERDUE_AFTER = dt.timedelta(minutes=2)
MAX_RESPONSE_BYTES = 64 * 1024


class PermanentError(Exception):
    """The channel cannot work as configured; retrying will not help."""


@dataclass(frozen=True)
class Result:
    ok: bool
    summary: str = ""
    code: int | None = None


# --- queueing -----------------------------------------------------------------------

def notify(
    event: str,
    title: str,
    text: str,
    *,
    channels: Iterable[Channel] | QuerySet[Channel] | None = None,
    severity: str = NotificationSeverity.INFO,
    link: str = "",
    data: Mapping[str, Any] | None = None,
) -> list[Notification]:
    """Queue a notification on ``channels`` (default: every enabled channel).

    Disabled channels are skipped. Delivery starts after the current transaction
    commits; if it rolls back, nothing is sent.
    """
    if severity not in NotificationSeverity.values:
        raise ValueError(f"unknown severity {severity!r}")
    targets = Channel.objects.all() if channels is None else channels
    return [
        queue(channel, event=event, title=title, text=text, severity=severity, link=link,
              data=data)
        for channel in targets if channel.enabled
    ]


def queue(channel: Channel, *, event: str, title: str, text: str, severity: str,
          link: str = "", data: Mapping[str, Any] | None = None) -> Notification:
    """One notification for ``channel`` (enabled or not), delivered after commit."""
    notification = Notification.objects.create(
        channel=channel, event=event[:100], title=title[:200], text=text, severity=severity,
        link=link[:500], data=dict(data or {}), next_attempt_at=timezone.now())
    transaction.on_commit(partial(enqueue, notification.pk), robust=True)
    return notification


def enqueue(notification_id: int, delay: float | None = None) -> None:
    """Hand the delivery to the queue. A queue that is down only delays it: :func:`sweep`
    re-enqueues overdue notifications."""
    from careops.core import tasks

    try:
        if delay:
            tasks.deliver_notification.schedule((notification_id,), delay=delay)
        else:
            tasks.deliver_notification(notification_id)
    except Exception:  # the triggering action must never fail because of the queue
        logger.exception("could not enqueue notification %s; the sweeper will retry",
                         notification_id)


# --- delivery -------------------------------------------------------------------------

def deliver(notification_id: int, *, now: dt.datetime | None = None) -> Notification | None:
    """Make one delivery attempt, if the notification is due and nobody else has it.

    Returns the notification, or ``None`` when another worker claimed it, it is not
    due yet, it is finished or it no longer exists.
    """
    now = now or timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=NotificationStatus.PENDING, next_attempt_at__lte=now,
    ).update(status=NotificationStatus.SENDING, sending_since=timezone.now(),
             attempts=F("attempts") + 1)
    if not claimed:
        return None
    notification = Notification.objects.select_related(
        "channel", "channel__secret", "channel__signing_secret").get(pk=notification_id)
    attempt = DeliveryAttempt.objects.create(
        notification=notification, number=notification.attempts, at=timezone.now())
    started = time.monotonic()
    permanent = False
    try:
        with translation.override(settings.LANGUAGE_CODE):
            result = send(notification)
    except PermanentError as exc:
        result, permanent = Result(False, str(exc)), True
    except Exception as exc:  # a channel must never break the worker
        logger.warning("notification %s via channel %s: unexpected error %s",
                       notification.pk, notification.channel_id, type(exc).__name__)
        result = Result(False, f"{type(exc).__name__}: {exc}")
    duration_ms = int((time.monotonic() - started) * 1000)
    return _finish(notification, attempt, result, duration_ms, permanent=permanent)


def _remember_address_tokens(address: str) -> None:
    """A bot address is a secret, and so is each token inside it: platforms echo the bare
    key (``invalid webhook url 693a…``) in their error messages."""
    from urllib.parse import parse_qsl, urlsplit

    logredact.remember(address)
    if "://" not in address:
        return
    parts = urlsplit(address)
    for _name, value in parse_qsl(parts.query):
        logredact.remember(value)
    for segment in parts.path.split("/"):
        if len(segment) >= 16:  # Feishu/DingTalk put the hook token in the path
            logredact.remember(segment)


def _finish(notification: Notification, attempt: DeliveryAttempt, result: Result,
            duration_ms: int, *, permanent: bool) -> Notification:
    summary = logredact.redact(result.summary)
    attempt.duration_ms = duration_ms
    attempt.response_code = result.code
    if result.ok:
        attempt.outcome = DeliveryOutcome.SUCCESS
        attempt.response_summary = summary[:300]
    else:
        attempt.outcome = DeliveryOutcome.FAILURE
        attempt.error = summary[:500]
    attempt.save()
    delay = None
    if result.ok:
        notification.status = NotificationStatus.SENT
        notification.sent_at = timezone.now()
        notification.next_attempt_at = None
        notification.last_error = ""
    else:
        notification.last_error = summary[:500]
        delay = None if permanent else logic.backoff_delay(notification.attempts,
                                                           random.random())  # noqa: S311
        _set_next(notification, delay, permanent=permanent)
    notification.sending_since = None
    fields = ["status", "sent_at", "next_attempt_at", "last_error", "sending_since"]
    if notification.data.get("forget_link") and notification.status != \
            NotificationStatus.PENDING:
        # a single-use secret link (a survey's): kept only until the mail is out
        notification.link = ""
        fields.append("link")
    notification.save(update_fields=fields)
    logger.info("notification %s via channel %s attempt %s: %s", notification.pk,
                notification.channel_id, attempt.number,
                "sent" if result.ok else f"failed ({notification.status})")
    if delay is not None:
        enqueue(notification.pk, delay)
    return notification


def _set_next(notification: Notification, delay: float | None, *, permanent: bool) -> None:
    if delay is None:
        notification.status = (NotificationStatus.FAILED if permanent
                               else NotificationStatus.GAVE_UP)
        notification.next_attempt_at = None
    else:
        notification.status = NotificationStatus.PENDING
        notification.next_attempt_at = timezone.now() + dt.timedelta(seconds=delay)


def sweep(now: dt.datetime | None = None) -> tuple[int, int]:
    """Recover from killed workers and lost queue entries. Returns (interrupted, requeued)."""
    now = now or timezone.now()
    interrupted = 0
    retry_now: list[int] = []
    for pk in Notification.objects.filter(
            status=NotificationStatus.SENDING, sending_since__lt=now - STUCK_AFTER,
    ).values_list("pk", flat=True):
        with transaction.atomic():
            notification = Notification.objects.select_for_update().filter(
                pk=pk, status=NotificationStatus.SENDING,
                sending_since__lt=now - STUCK_AFTER).first()
            if notification is None:
                continue
            message = _("The worker stopped during this attempt: no result after %(minutes)s "
                        "minutes.") % {"minutes": int(STUCK_AFTER.total_seconds() // 60)}
            notification.delivery_attempts.filter(outcome=DeliveryOutcome.RUNNING).update(
                outcome=DeliveryOutcome.INTERRUPTED, error=message)
            notification.last_error = message
            delay = logic.backoff_delay(notification.attempts, 0.5)
            _set_next(notification, 0 if delay is not None else None, permanent=False)
            notification.sending_since = None
            notification.save(update_fields=["status", "next_attempt_at", "last_error",
                                             "sending_since"])
            interrupted += 1
            if notification.status == NotificationStatus.PENDING:
                retry_now.append(pk)
            logger.warning("notification %s: attempt %s interrupted", pk, notification.attempts)
    due = list(Notification.objects.filter(
        status=NotificationStatus.PENDING, next_attempt_at__lt=now - OVERDUE_AFTER,
    ).values_list("pk", flat=True)[:500])
    for pk in [*retry_now, *due]:
        enqueue(pk)
    return interrupted, len(due)


# --- sending ----------------------------------------------------------------------------

def message_for(notification: Notification) -> logic.Message:
    link = notification.link
    if link and link.startswith("/") and settings.SITE_URL:
        link = urljoin(settings.SITE_URL, link)
    return logic.Message(
        event=notification.event, title=notification.title, text=notification.text,
        severity=notification.severity, link=link, sent_at=timezone.now(),
        data=notification.data,
        severity_label=str(NotificationSeverity(notification.severity).label)
        if notification.severity in NotificationSeverity.values else notification.severity,
    )


def _reveal(channel: Channel, slot: str, *, required: bool) -> str:
    secret = getattr(channel, slot)
    if secret is None:
        if required:
            raise PermanentError(_("The channel has no stored credential; edit it and enter "
                                   "it again."))
        return ""
    try:
        return secret_store.reveal(secret, purpose=f"notification channel {channel.pk}")
    except secret_store.SecretUnreadable as exc:
        raise PermanentError(_("The stored credential cannot be decrypted with the "
                               "configured key.")) from exc


def send(notification: Notification) -> Result:
    """Send ``notification`` once through its channel; raise PermanentError if hopeless."""
    channel = notification.channel
    msg = message_for(notification)
    config = {f.name: channel.config.get(f.name, f.default)
              for f in channel_fields.config_fields(channel.kind)}
    if channel.kind == NotificationKind.EMAIL:
        return send_email(channel, config, msg)
    if channel.kind == NotificationKind.WEBHOOK:
        secret = _reveal(channel, "signing_secret", required=False)
        post = logic.webhook_request(config["url"], msg, secret=secret,
                                     timestamp=int(time.time()))
        return http_post(channel.kind, post, verify_tls=bool(config["verify_tls"]))
    if channel.kind not in logic.BOT_KINDS:
        raise PermanentError(_("Unknown channel kind."))
    address = _reveal(channel, "secret", required=True)
    _remember_address_tokens(address)
    url = logic.bot_url(channel.kind, address, config.get("base_url", ""))
    signing = _reveal(channel, "signing_secret", required=False)
    if channel.kind == NotificationKind.WECOM:
        post = logic.wecom_request(url, msg)
    elif channel.kind == NotificationKind.DINGTALK:
        post = logic.dingtalk_request(url, msg, secret=signing,
                                      timestamp_ms=int(time.time() * 1000),
                                      at_mobiles=config["at_mobiles"],
                                      at_all=bool(config["at_all"]))
    else:
        post = logic.feishu_request(url, msg, secret=signing, timestamp=int(time.time()),
                                    style=config["style"], link_label=_("Open in CareOps"))
    return http_post(channel.kind, post)


def _tls_context(verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not verify:  # the operator chose to trust a self-signed internal server
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect could carry the signed body (and a bot's key) to another host.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def http_post(kind: str, post: logic.HttpPost, *, verify_tls: bool = True) -> Result:
    opener = urllib.request.build_opener(
        _NoRedirect(), urllib.request.HTTPSHandler(context=_tls_context(verify_tls)))
    if not logic.is_http_url(post.url):
        raise PermanentError(_("The address must start with http:// or https://."))
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        post.url, data=post.body, headers=dict(post.headers), method="POST")
    try:
        with opener.open(request, timeout=SEND_TIMEOUT) as response:
            status, body = response.status, response.read(MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read(MAX_RESPONSE_BYTES) if exc.fp else b""
    except urllib.error.URLError as exc:
        return Result(False, _("Cannot connect: %(reason)s") % {"reason": exc.reason})
    except (TimeoutError, OSError) as exc:
        return Result(False, _("Cannot connect: %(reason)s") % {"reason": exc})
    outcome = logic.check_response(kind, status, body)
    return Result(outcome.ok, outcome.summary, status)


def recipients_of(msg: logic.Message, default: list[str]) -> list[str]:
    """The addresses of the mail: the notification's own ``recipients`` (a message for
    named people, e.g. an SLA warning to the assignee) or else the channel's list."""
    override = msg.data.get("recipients") if isinstance(msg.data, Mapping) else None
    if isinstance(override, list):
        chosen = [str(a).strip() for a in override if str(a).strip()]
        if chosen:
            return chosen
    return list(default)


def send_email(channel: Channel, config: Mapping[str, Any], msg: logic.Message) -> Result:
    password = _reveal(channel, "secret", required=False)
    # A notification for named people (an SLA warning to the assignee, the email
    # intake's acknowledgement) carries its own recipients, and may carry its own subject
    # and threading headers; others go to the channel's list.
    to = recipients_of(msg, config["to"])
    mail = logic.email_message(msg, from_address=config["from_address"], to=to,
                               subject_prefix=config["subject_prefix"],
                               subject=msg.data.get("subject") or None,
                               headers=msg.data.get("headers") or None)
    context = _tls_context(bool(config["verify_tls"]))
    host, port = config["host"], int(config["port"])
    try:
        smtp: smtplib.SMTP
        if config["security"] == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=SEND_TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=SEND_TIMEOUT)
        with smtp:
            if config["security"] == "starttls":
                smtp.starttls(context=context)
            if config["username"]:
                smtp.login(config["username"], password)
            refused = smtp.send_message(mail)
    except smtplib.SMTPAuthenticationError as exc:
        return Result(False, _("The server refused the login: %(code)s %(reason)s")
                      % {"code": exc.smtp_code, "reason": _smtp_text(exc.smtp_error)},
                      exc.smtp_code)
    except smtplib.SMTPNotSupportedError as exc:
        return Result(False, _("The server does not support this: %(reason)s")
                      % {"reason": exc})
    except smtplib.SMTPResponseException as exc:
        return Result(False, f"{exc.smtp_code} {_smtp_text(exc.smtp_error)}", exc.smtp_code)
    except smtplib.SMTPRecipientsRefused as exc:
        return Result(False, _("Every recipient was refused: %(list)s")
                      % {"list": ", ".join(exc.recipients)})
    except (smtplib.SMTPException, OSError) as exc:
        return Result(False, _("Cannot connect: %(reason)s") % {"reason": exc})
    if refused:
        return Result(True, _("Sent; refused recipients: %(list)s")
                      % {"list": ", ".join(refused)}, 250)
    count = len(to)
    return Result(True, ngettext("Accepted for %(count)s recipient",
                                 "Accepted for %(count)s recipients", count) % {"count": count},
                  250)


def _smtp_text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
