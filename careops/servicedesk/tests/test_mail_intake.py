"""Email intake against a real IMAP server (dovecot, started per test) and, for the
acknowledgement, the real local SMTP server of the notification tests (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from django.core.management import call_command

from careops.core.actions import notifications as channel_actions
from careops.core.choices import AuditAction
from careops.core.models import AuditRecord
from careops.core.tests import notify_support
from careops.servicedesk.actions import mail
from careops.servicedesk.actions import mailboxes as mailbox_actions
from careops.servicedesk.models import (
    Attachment,
    Channel,
    EventKind,
    InboundMail,
    Ticket,
    TicketEvent,
)
from careops.servicedesk.tests.imap_support import PASSWORD, USER, imap_server
from careops.servicedesk.tests.mail_support import gb_mail, mail_with_files

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("english")]
smtp_server = notify_support.smtp_server
__all__ = ["imap_server", "smtp_server"]

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
# 镕 and 𠀀 are outside GB2312: a client labelling GB2312 really sends GB18030.
SUBJECT = "放射科 PACS 影像调阅缓慢 镕𠀀"
BODY = "医生工作站打开 CT 影像需要两分钟。\n请尽快处理。"


@pytest.fixture
def mailbox(desk: dict[str, Any], alice: Any, charlie: Any, imap_server: Any) -> Any:
    charlie.email = "Charlie.Zhang@Hospital.example"
    charlie.save()
    return mailbox_actions.create_mailbox(alice, values={
        "name": "服务台邮箱", "host": "127.0.0.1", "port": imap_server.port,
        "security": "none", "username": USER, "folder": "INBOX", "kind": "incident",
        "enabled": True}, password=PASSWORD)


def poll(mailbox: Any, now: dt.datetime = NOW) -> mail.PollResult:
    result = mail.poll(mailbox, now=now)
    assert result.ok, result.error
    return result


def test_it_opens_a_ticket_from_a_gb18030_mail(mailbox, imap_server, charlie):
    imap_server.append(gb_mail(SUBJECT, BODY))
    result = poll(mailbox)
    assert (result.fetched, result.opened) == (1, 1)
    ticket = Ticket.objects.get()
    assert ticket.title == SUBJECT
    assert ticket.description == BODY
    assert ticket.reporter == charlie
    assert ticket.channel == Channel.EMAIL and ticket.kind == "incident"
    assert ticket.email_thread == "<m1@client.example>"
    record = InboundMail.objects.get()
    assert (record.outcome, record.ticket, record.sender, record.subject) == (
        "opened", ticket, "charlie.zhang@hospital.example", SUBJECT)
    assert AuditRecord.objects.filter(action=AuditAction.CREATE,
                                      object_type="servicedesk.ticket").count() == 1
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 1 and mailbox.uid_validity > 0 and mailbox.last_error == ""


def test_it_acknowledges_by_email_and_threads_the_answer_back(
        mailbox, imap_server, smtp_server, alice, django_capture_on_commit_callbacks):
    channel = channel_actions.create_channel(
        alice, name="发信", kind="email", values={
            "host": "127.0.0.1", "port": smtp_server.port, "security": "none",
            "from_address": "careops@hospital.example", "to": "noc@hospital.example"})
    mailbox.reply_channel = channel
    mailbox.save()
    imap_server.append(gb_mail(SUBJECT, BODY))
    with django_capture_on_commit_callbacks(execute=True):
        poll(mailbox)
    ticket = Ticket.objects.get()
    # the channel's list also hears of the new ticket; the acknowledgement goes to the sender
    [(mail_from, rcpts, ack)] = [m for m in smtp_server.mailbox.messages
                                 if m[1] != ["noc@hospital.example"]]
    assert [m[1] for m in smtp_server.mailbox.messages].count(["noc@hospital.example"]) == 1
    assert mail_from == "careops@hospital.example"
    assert rcpts == ["charlie.zhang@hospital.example"]  # the sender, not the channel's list
    assert ack["Subject"] == f"[{ticket.number}] {SUBJECT}"
    assert ack["In-Reply-To"] == "<m1@client.example>"
    assert ack["Reply-To"] == USER
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ticket.number in ack.get_body(preferencelist=("plain",)).get_content()
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.EMAIL)
    assert event.from_value == ack["Message-ID"].strip()
    # The reporter answers the acknowledgement: only its Message-ID links the two.
    imap_server.append(gb_mail("回复: 收到", "重启后仍然很慢。\n\n> 原文",
                               message_id="<m2@client.example>",
                               in_reply_to=ack["Message-ID"].strip()))
    result = poll(mailbox, NOW + dt.timedelta(minutes=5))
    assert (result.replies, result.opened) == (1, 0)
    note = TicketEvent.objects.get(ticket=ticket, kind=EventKind.COMMENT)
    assert note.note == "重启后仍然很慢。" and note.public
    assert len(smtp_server.mailbox.messages) == 2  # a reply is not acknowledged again


def test_it_threads_a_reply_by_in_reply_to_and_strips_the_quote(mailbox, imap_server,
                                                                charlie):
    imap_server.append(gb_mail(SUBJECT, BODY))
    poll(mailbox)
    imap_server.append(gb_mail("Re: " + SUBJECT, "已经恢复，谢谢。\n\n-----原始邮件-----\n"
                               "发件人: 服务台\n" + BODY, message_id="<m2@client.example>",
                               in_reply_to="<m1@client.example>"))
    result = poll(mailbox)
    assert result.replies == 1
    ticket = Ticket.objects.get()
    comment = ticket.events.get(kind=EventKind.COMMENT)
    assert comment.note == "已经恢复，谢谢。"
    assert comment.actor == charlie
    assert InboundMail.objects.get(message_id="<m2@client.example>").ticket == ticket


def test_it_threads_a_reply_by_the_number_in_the_subject_with_its_files(mailbox,
                                                                        imap_server):
    imap_server.append(gb_mail(SUBJECT, BODY))
    poll(mailbox)
    ticket = Ticket.objects.get()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    imap_server.append(mail_with_files(f"截图 [{ticket.number}]", "截图见附件",
                                       [("截图 1.png", png)]))
    result = poll(mailbox)
    assert result.replies == 1 and Ticket.objects.count() == 1
    [attachment] = Attachment.objects.filter(ticket=ticket)
    assert attachment.name == "截图 1.png"
    assert attachment.file.read() == png
    assert ticket.events.filter(kind=EventKind.COMMENT, note="截图见附件").exists()


def test_it_refuses_unknown_senders_and_lists_them(mailbox, imap_server, alice,
                                                  verified_client):
    imap_server.append(gb_mail("求助", "你好", sender="stranger@elsewhere.example",
                               message_id="<x1@elsewhere.example>"))
    result = poll(mailbox)
    assert (result.refused, result.opened) == (1, 0)
    assert not Ticket.objects.exists()
    record = InboundMail.objects.get()
    assert record.outcome == "refused"
    assert "stranger@elsewhere.example" in record.reason
    page = verified_client(alice).get(f"/servicedesk/mailboxes/{mailbox.pk}/?outcome=refused")
    assert page.status_code == 200
    assert "No active user has the address stranger@elsewhere.example." in page.content.decode()


def test_it_never_handles_a_message_twice(mailbox, imap_server):
    imap_server.append(gb_mail(SUBJECT, BODY))
    poll(mailbox)
    assert poll(mailbox).fetched == 0
    # Even when the mark is lost (a restore, a reset), the record keeps it once.
    mailbox.last_uid = 0
    mailbox.save()
    again = poll(mailbox)
    assert (again.duplicates, again.opened) == (1, 0)
    assert Ticket.objects.count() == 1 and InboundMail.objects.count() == 1


def test_it_records_an_unreadable_message_and_goes_on(mailbox, imap_server):
    imap_server.append(b"this is not an email at all\r\n")
    imap_server.append(gb_mail(SUBJECT, BODY))
    result = poll(mailbox)
    assert (result.refused, result.opened) == (1, 1)
    refused = InboundMail.objects.get(outcome="refused")
    assert refused.reason.startswith("The message cannot be read")
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 2


def test_it_refuses_automatic_replies(mailbox, imap_server):
    imap_server.append(gb_mail("自动回复: 休假中", "我正在休假", extra="Auto-Submitted: "
                               "auto-replied"))
    result = poll(mailbox)
    assert result.refused == 1 and not Ticket.objects.exists()


def test_it_refuses_a_reply_from_someone_who_may_not_see_the_ticket(
        mailbox, imap_server, make_user):
    imap_server.append(gb_mail(SUBJECT, BODY))
    poll(mailbox)
    ticket = Ticket.objects.get()
    make_user("dave", email="dave@hospital.example")  # a department user of no department
    imap_server.append(gb_mail(f"[{ticket.number}] 我也是", "同样的问题",
                               sender="dave@hospital.example",
                               message_id="<d1@client.example>"))
    result = poll(mailbox)
    assert result.refused == 1
    assert not ticket.events.filter(kind=EventKind.COMMENT).exists()
    assert "may not comment" in InboundMail.objects.get(outcome="refused").reason


def test_it_skips_oversize_attachments_with_a_note(mailbox, imap_server, settings):
    settings.CAREOPS_MAX_ATTACHMENT_MB = 1
    big = b"x" * (1024 * 1024 + 1)
    imap_server.append(mail_with_files("日志", "日志在附件里",
                                       [("huge.log", big), ("small.txt", b"ok")]))
    result = poll(mailbox)
    assert result.opened == 1
    ticket = Ticket.objects.get()
    assert list(ticket.attachments.values_list("name", flat=True)) == ["small.txt"]
    note = ticket.events.get(kind=EventKind.EMAIL)
    assert "huge.log" in note.note and "not stored" in note.note


def test_it_reports_a_refused_login_without_the_password(desk, alice, charlie, imap_server,
                                                         caplog):
    charlie.email = "charlie.zhang@hospital.example"
    charlie.save()
    mailbox = mailbox_actions.create_mailbox(alice, values={
        "name": "错误", "host": "127.0.0.1", "port": imap_server.port, "security": "none",
        "username": USER, "folder": "INBOX", "kind": "incident"},
        password="Wrong-Secret-9931")
    imap_server.append(gb_mail(SUBJECT, BODY))
    with caplog.at_level(logging.DEBUG):
        result = mail.poll(mailbox, now=NOW)
    assert not result.ok
    mailbox.refresh_from_db()
    assert "refused the login" in mailbox.last_error
    assert "Wrong-Secret-9931" not in mailbox.last_error
    assert "Wrong-Secret-9931" not in caplog.text
    assert mailbox.last_uid == 0 and not InboundMail.objects.exists()
    # Once the password is right, the error is cleared and the mail read.
    mailbox_actions.update_mailbox(alice, mailbox, values={}, password=PASSWORD)
    assert poll(mailbox).opened == 1
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""


def test_it_reads_a_recreated_folder_again_without_duplicates(mailbox, imap_server, alice):
    imap_server.create("服务台")
    mailbox_actions.update_mailbox(alice, mailbox, values={"folder": "服务台"})
    imap_server.append(gb_mail(SUBJECT, BODY), folder="服务台")
    poll(mailbox)
    mailbox.refresh_from_db()
    first_validity = mailbox.uid_validity
    imap_server.recreate("服务台")
    imap_server.append(gb_mail(SUBJECT, BODY), folder="服务台")
    imap_server.append(gb_mail("打印机卡纸", "三楼护士站", message_id="<m3@client.example>"),
                       folder="服务台")
    result = poll(mailbox)
    mailbox.refresh_from_db()
    assert mailbox.uid_validity != first_validity
    assert (result.duplicates, result.opened) == (1, 1)
    assert Ticket.objects.count() == 2
    assert mailbox.last_uid == 2


def test_the_command_and_the_periodic_task_poll(mailbox, imap_server, capsys):
    imap_server.append(gb_mail(SUBJECT, BODY))
    call_command("mail", "poll", "服务台邮箱")
    assert "服务台邮箱: 1 new, 1 opened" in capsys.readouterr().out
    imap_server.append(gb_mail("打印机卡纸", "三楼", message_id="<m3@client.example>"))
    from careops.servicedesk import tasks_mail

    assert tasks_mail.poll_mailboxes.call_local() == 1
    assert Ticket.objects.count() == 2
