"""Delivery through every channel kind, against servers the tests start themselves.

WeCom, DingTalk and Feishu cannot be reached from a test: a local HTTP receiver
(careops/core/tests/notify_support.py) stands in for them, receiving the same
requests and answering the way their documentation says they answer. Email goes to
a real SMTP server (aiosmtpd) on 127.0.0.1.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
from typing import Any
from urllib.parse import quote_plus

import pytest
from django.utils import timezone

from careops.core import notify as notify_mod
from careops.core.actions import notifications as actions
from careops.core.choices import DeliveryOutcome, NotificationStatus
from careops.core.models import AuditRecord, DeliveryAttempt, Notification
from careops.core.tests import notify_support as support
from careops.core.tests.notify_support import PASSWORD, USERNAME, dead_port
from careops.logic import notify as logic

# Fixtures: local stand-ins for the platforms, and a real SMTP server.
receiver, smtp_server, smtp_auth_server = (
    support.receiver, support.smtp_server, support.smtp_auth_server)

pytestmark = [pytest.mark.usefixtures("english"),
    pytest.mark.django_db,
    # The SMTP AUTH tests log in over plain text on purpose (auth_require_tls=False).
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]

WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DING_TOKEN = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0"
DING_SECRET = "SEC1234567890abcdefSECRETsigning"
FEISHU_TOKEN = "2f1e3d4c-5b6a-7980-1a2b-3c4d5e6f7a8b"
HOOK_SECRET = "hook-hmac-secret-0123456789"
ALL_SECRETS = (WECOM_KEY, DING_TOKEN, DING_SECRET, FEISHU_TOKEN, HOOK_SECRET, PASSWORD)


def make(alice: Any, kind: str, name: str = "值班群", **values: Any) -> Any:
    return actions.create_channel(alice, name=name, kind=kind, values=values)


def send(capture: Any, channel: Any, **kwargs: Any) -> Notification:
    with capture(execute=True):
        [notification] = notify_mod.notify(
            kwargs.pop("event", "ticket.overdue"), kwargs.pop("title", "工单 #42 已超时"),
            kwargs.pop("text", "服务器机房 UPS 告警,请值班工程师处理。"),
            channels=[channel], severity=kwargs.pop("severity", "warning"),
            link="/tickets/42/", **kwargs)
    notification.refresh_from_db()
    return notification


def retry(notification: Notification) -> Notification:
    """Run the scheduled retry now (Huey's immediate mode keeps scheduled tasks unrun)."""
    notification.refresh_from_db()
    result = notify_mod.deliver(notification.pk, now=notification.next_attempt_at)
    assert result is not None, "the retry was not due or not claimed"
    return result


def test_it_sends_email_with_chinese_text_to_a_real_smtp_server(
        alice, smtp_server, django_capture_on_commit_callbacks, settings):
    settings.LANGUAGE_CODE = "en"
    channel = make(alice, "email", host="127.0.0.1", port=smtp_server.port, security="none",
                   from_address="careops@hospital.example",
                   to="noc@hospital.example\nwang@hospital.example")
    notification = send(django_capture_on_commit_callbacks, channel)
    assert notification.status == NotificationStatus.SENT
    [(mail_from, rcpts, message)] = smtp_server.mailbox.messages
    assert mail_from == "careops@hospital.example"
    assert rcpts == ["noc@hospital.example", "wang@hospital.example"]
    assert message["Subject"] == "[CareOps] [Warning] 工单 #42 已超时"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "服务器机房 UPS 告警" in body
    assert "http://127.0.0.1:8000/tickets/42/" in body
    assert "工单 #42 已超时" in message.get_body(preferencelist=("html",)).get_content()
    [attempt] = notification.delivery_attempts.all()
    assert attempt.outcome == DeliveryOutcome.SUCCESS and attempt.response_code == 250


def test_it_logs_in_to_smtp_with_the_stored_password(
        alice, smtp_auth_server, django_capture_on_commit_callbacks):
    channel = make(alice, "email", host="127.0.0.1", port=smtp_auth_server.port,
                   security="none", username=USERNAME, password=PASSWORD,
                   from_address="careops@hospital.example", to=["noc@hospital.example"])
    notification = send(django_capture_on_commit_callbacks, channel)
    assert notification.status == NotificationStatus.SENT
    assert smtp_auth_server.mailbox.logins == [(USERNAME, PASSWORD)]
    assert len(smtp_auth_server.mailbox.messages) == 1


def test_it_reports_a_refused_smtp_login_without_the_password(
        alice, smtp_auth_server, django_capture_on_commit_callbacks, caplog):
    caplog.set_level(logging.DEBUG)
    channel = make(alice, "email", host="127.0.0.1", port=smtp_auth_server.port,
                   security="none", username=USERNAME, password="Wrong-Pa55word",
                   from_address="careops@hospital.example", to=["noc@hospital.example"])
    notification = send(django_capture_on_commit_callbacks, channel)
    assert notification.status == NotificationStatus.PENDING
    [attempt] = notification.delivery_attempts.all()
    assert attempt.outcome == DeliveryOutcome.FAILURE
    assert "535" in attempt.error
    assert "Wrong-Pa55word" not in attempt.error + caplog.text
    assert smtp_auth_server.mailbox.messages == []


def test_it_posts_wecom_markdown(alice, receiver, django_capture_on_commit_callbacks):
    url = f"{receiver.base}/cgi-bin/webhook/send?key={WECOM_KEY}"
    channel = make(alice, "wecom", webhook_url=url)
    notification = send(django_capture_on_commit_callbacks, channel)
    assert notification.status == NotificationStatus.SENT
    [req] = receiver.requests
    assert req.path == "/cgi-bin/webhook/send" and req.query["key"] == [WECOM_KEY]
    body = req.json()
    assert body["msgtype"] == "markdown"
    assert "工单 #42 已超时" in body["markdown"]["content"]
    assert "服务器机房 UPS 告警" in body["markdown"]["content"]


def test_it_builds_the_official_address_from_a_bare_key_and_the_base_url(
        alice, receiver, django_capture_on_commit_callbacks):
    channel = make(alice, "wecom", webhook_url=WECOM_KEY, base_url=receiver.base)
    assert send(django_capture_on_commit_callbacks, channel).status == NotificationStatus.SENT
    assert receiver.requests[0].path == "/cgi-bin/webhook/send"
    assert receiver.requests[0].query["key"] == [WECOM_KEY]


def test_it_signs_dingtalk_requests(alice, receiver, django_capture_on_commit_callbacks):
    url = f"https://oapi.dingtalk.com/robot/send?access_token={DING_TOKEN}"
    channel = make(alice, "dingtalk", webhook_url=url, signing_secret=DING_SECRET,
                   base_url=receiver.base, at_mobiles="13800138000")
    notification = send(django_capture_on_commit_callbacks, channel)
    assert notification.status == NotificationStatus.SENT
    [req] = receiver.requests
    assert req.path == "/robot/send" and req.query["access_token"] == [DING_TOKEN]
    timestamp = req.query["timestamp"][0]
    expected = base64.b64encode(hmac.new(
        DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), hashlib.sha256,
    ).digest()).decode()
    # parse_qs already url-decoded the sign once.
    assert req.query["sign"] == [expected]
    assert abs(int(timestamp) / 1000 - timezone.now().timestamp()) < 60
    body = req.json()
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == "工单 #42 已超时"
    assert body["at"]["atMobiles"] == ["13800138000"] and "@13800138000" in body["markdown"]["text"]


def test_it_signs_feishu_requests(alice, receiver, django_capture_on_commit_callbacks):
    receiver.answer((200, {"code": 0, "msg": "success", "data": {}}))
    channel = make(alice, "feishu", webhook_url=f"{receiver.base}/open-apis/bot/v2/hook/"
                   f"{FEISHU_TOKEN}", signing_secret=DING_SECRET)
    notification = send(django_capture_on_commit_callbacks, channel)
    assert notification.status == NotificationStatus.SENT
    [req] = receiver.requests
    assert req.path == f"/open-apis/bot/v2/hook/{FEISHU_TOKEN}"
    body = req.json()
    key = f"{body['timestamp']}\n{DING_SECRET}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["msg_type"] == "interactive"
    assert "工单 #42 已超时" in body["card"]["header"]["title"]["content"]


def test_it_signs_generic_webhooks(alice, receiver, django_capture_on_commit_callbacks):
    receiver.answer((204, {}))
    channel = make(alice, "webhook", url=f"{receiver.base}/hooks/careops",
                   signing_secret=HOOK_SECRET)
    notification = send(django_capture_on_commit_callbacks, channel, data={"ticket": 42})
    assert notification.status == NotificationStatus.SENT
    [req] = receiver.requests
    timestamp = req.headers["X-CareOps-Timestamp"]
    expected = hmac.new(HOOK_SECRET.encode(), f"{timestamp}.".encode() + req.body,
                        hashlib.sha256).hexdigest()
    assert req.headers["X-CareOps-Signature"] == f"sha256={expected}"
    body = req.json()
    assert body["event"] == "ticket.overdue" and body["severity"] == "warning"
    assert body["data"] == {"ticket": 42} and body["link"].endswith("/tickets/42/")
    assert set(body) == {"event", "title", "text", "severity", "link", "sent_at", "data"}


def test_it_retries_after_a_server_error_and_logs_both_attempts(
        alice, receiver, django_capture_on_commit_callbacks):
    receiver.answer((500, {"error": "upstream down"}), (200, {"errcode": 0, "errmsg": "ok"}))
    channel = make(alice, "wecom", webhook_url=WECOM_KEY, base_url=receiver.base)
    before = timezone.now()
    notification = send(django_capture_on_commit_callbacks, channel)
    assert notification.status == NotificationStatus.PENDING
    assert notification.attempts == 1 and "HTTP 500" in notification.last_error
    wait = (notification.next_attempt_at - before).total_seconds()
    assert 27 <= wait <= 34  # 30 s ± 10 % jitter
    # Not due yet: a worker that picks it up early does nothing.
    assert notify_mod.deliver(notification.pk) is None
    notification = retry(notification)
    assert notification.status == NotificationStatus.SENT and notification.attempts == 2
    first, second = notification.delivery_attempts.order_by("number")
    assert (first.outcome, first.response_code) == (DeliveryOutcome.FAILURE, 500)
    assert (second.outcome, second.response_code) == (DeliveryOutcome.SUCCESS, 200)
    assert len(receiver.requests) == 2


def test_it_treats_a_platform_error_code_as_a_failure(
        alice, receiver, django_capture_on_commit_callbacks):
    receiver.answer((200, {"errcode": 310000, "errmsg": "sign not match, more: [...]"}))
    channel = make(alice, "dingtalk", webhook_url=DING_TOKEN, base_url=receiver.base,
                   signing_secret="SECwrong-secret-value")
    notification = send(django_capture_on_commit_callbacks, channel)
    assert notification.status == NotificationStatus.PENDING
    [attempt] = notification.delivery_attempts.all()
    assert attempt.outcome == DeliveryOutcome.FAILURE and attempt.response_code == 200
    assert "310000" in attempt.error and "sign not match" in attempt.error


def test_a_dead_channel_never_breaks_the_action_and_ends_gave_up(
        alice, django_capture_on_commit_callbacks):
    channel = make(alice, "webhook", url=f"http://127.0.0.1:{dead_port()}/hook")
    with django_capture_on_commit_callbacks(execute=True):
        notification = actions.send_test(alice, channel)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert AuditRecord.objects.filter(action="notify", object_id=str(channel.pk)).exists()
    while notification.status == NotificationStatus.PENDING:
        notification = retry(notification)
    assert notification.status == NotificationStatus.GAVE_UP
    assert notification.attempts == logic.max_attempts() == 5
    assert notification.next_attempt_at is None
    attempts = list(notification.delivery_attempts.all())
    assert len(attempts) == 5
    assert all(a.outcome == DeliveryOutcome.FAILURE and "connect" in a.error.lower()
               for a in attempts)


def test_a_missing_credential_fails_at_once_without_retries(
        alice, receiver, django_capture_on_commit_callbacks):
    channel = make(alice, "wecom", webhook_url=WECOM_KEY, base_url=receiver.base)
    channel.secret.delete()
    channel.refresh_from_db()
    notification = send(django_capture_on_commit_callbacks, channel)
    assert notification.status == NotificationStatus.FAILED
    assert "credential" in notification.last_error and receiver.requests == []


def test_two_workers_cannot_send_the_same_notification(
        alice, receiver, django_capture_on_commit_callbacks):
    channel = make(alice, "wecom", webhook_url=WECOM_KEY, base_url=receiver.base)
    notification = notify_mod.notify("x", "t", "x", channels=[channel])[0]  # not committed
    assert notify_mod.deliver(notification.pk) is not None
    assert notify_mod.deliver(notification.pk) is None
    assert len(receiver.requests) == 1


def test_disabled_channels_get_nothing(alice, receiver, django_capture_on_commit_callbacks):
    channel = make(alice, "wecom", webhook_url=WECOM_KEY, base_url=receiver.base)
    actions.update_channel(alice, channel, enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_mod.notify("x", "t", "x") == []
    assert receiver.requests == []


def test_the_sweeper_marks_a_killed_attempt_interrupted_and_retries(
        alice, receiver, django_capture_on_commit_callbacks):
    channel = make(alice, "wecom", webhook_url=WECOM_KEY, base_url=receiver.base)
    notification = notify_mod.notify("x", "UPS", "x", channels=[channel])[0]
    # A worker claimed it and died before writing a result.
    long_ago = timezone.now() - dt.timedelta(minutes=11)
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENDING, sending_since=long_ago, attempts=1)
    DeliveryAttempt.objects.create(notification=notification, number=1, at=long_ago)
    assert notify_mod.sweep() == (1, 0)
    notification.refresh_from_db()
    killed, resent = notification.delivery_attempts.order_by("number")
    assert killed.outcome == DeliveryOutcome.INTERRUPTED and "worker" in killed.error
    assert resent.outcome == DeliveryOutcome.SUCCESS
    # The sweeper enqueued it again; with immediate Huey it was sent right away.
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 2 and len(receiver.requests) == 1


def test_the_sweeper_leaves_a_fresh_sending_row_alone(alice, receiver):
    channel = make(alice, "wecom", webhook_url=WECOM_KEY, base_url=receiver.base)
    notification = notify_mod.notify("x", "UPS", "x", channels=[channel])[0]
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENDING, sending_since=timezone.now(), attempts=1)
    assert notify_mod.sweep() == (0, 0)


def test_the_sweeper_requeues_a_lost_retry(alice, receiver):
    channel = make(alice, "wecom", webhook_url=WECOM_KEY, base_url=receiver.base)
    notification = notify_mod.notify("x", "UPS", "x", channels=[channel])[0]
    Notification.objects.filter(pk=notification.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(minutes=5))
    assert notify_mod.sweep() == (0, 1)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT


def test_a_rolled_back_action_sends_nothing(alice, receiver):
    from django.db import transaction

    channel = make(alice, "wecom", webhook_url=WECOM_KEY, base_url=receiver.base)
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_mod.notify("x", "UPS", "x", channels=[channel])
        raise RuntimeError
    assert receiver.requests == [] and not Notification.objects.exists()


def test_secrets_never_reach_attempts_logs_or_audit(
        alice, receiver, django_capture_on_commit_callbacks, caplog):
    caplog.set_level(logging.DEBUG)
    receiver.answer((200, {"errcode": 93000, "errmsg": f"invalid webhook url {WECOM_KEY}"}))
    channel = make(alice, "wecom", webhook_url=f"{receiver.base}/cgi-bin/webhook/send"
                   f"?key={WECOM_KEY}")
    ding = make(alice, "dingtalk", name="钉钉", webhook_url=DING_TOKEN,
                signing_secret=DING_SECRET, base_url=receiver.base)
    hook = make(alice, "webhook", name="hook", url=f"http://127.0.0.1:{dead_port()}/",
                signing_secret=HOOK_SECRET)
    for ch in (channel, ding, hook):
        send(django_capture_on_commit_callbacks, ch)
    stored = " ".join(
        f"{a.error} {a.response_summary}" for a in DeliveryAttempt.objects.all())
    stored += " ".join(n.last_error for n in Notification.objects.all())
    stored += " ".join(f"{r.changes_json} {r.detail_json}" for r in AuditRecord.objects.all())
    assert "93000" in stored
    for secret in ALL_SECRETS:
        assert secret not in stored, secret
        assert secret not in caplog.text, secret
        assert quote_plus(secret) not in stored


@pytest.mark.redis
def test_it_runs_a_delivery_task_through_redis_huey():
    """Huey on Redis (production with REDIS_URL): enqueue, dequeue, execute."""
    import uuid

    from huey import RedisHuey

    from conftest import require_service

    require_service("redis")
    huey = RedisHuey(name=f"careops-test-{uuid.uuid4().hex}", url="redis://127.0.0.1:6379/15")
    calls: list[int] = []

    @huey.task()
    def deliver(notification_id: int) -> int:
        calls.append(notification_id)
        return notification_id * 2

    try:
        result = deliver(21)
        assert calls == [] and huey.pending_count() == 1
        task = huey.dequeue()
        assert task is not None
        huey.execute(task)
        assert calls == [21] and result.get() == 42
        assert huey.pending_count() == 0
        # A retry scheduled for later: the consumer parks it in the schedule, unrun.
        deliver.schedule((5,), delay=3600)
        huey.execute(huey.dequeue())
        assert calls == [21] and huey.scheduled_count() == 1
    finally:
        huey.storage.flush_all()
