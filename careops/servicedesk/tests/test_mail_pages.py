"""The mailbox pages (Cap.MANAGE_CHANNELS) and their audited actions."""

from __future__ import annotations

import datetime as dt
import socket
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from careops.core.choices import AuditAction
from careops.core.models import AuditRecord, Secret
from careops.servicedesk.actions import mailboxes as actions
from careops.servicedesk.models import InboundMail, Mailbox

pytestmark = pytest.mark.usefixtures("english")

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
FORM = {"name": "服务台邮箱", "enabled": "on", "host": "imap.hospital.example", "port": "993",
        "security": "ssl", "username": "helpdesk@hospital.example",
        "password": "Imap-Secret-4711", "folder": "INBOX", "kind": "incident"}


def dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def mailbox(alice: Any) -> Mailbox:
    return actions.create_mailbox(alice, values={
        "name": "服务台邮箱", "host": "127.0.0.1", "port": dead_port(), "security": "none",
        "username": "helpdesk@hospital.example", "folder": "INBOX", "kind": "incident"},
        password="Imap-Secret-4711")


@pytest.mark.parametrize("who,status", [("alice", 200), ("bob", 403), ("charlie", 403),
                                        ("auditor", 403), ("secadmin", 403),
                                        ("sysadmin", 200)])
def test_only_who_manages_channels_sees_the_mailbox_pages(request, verified_client, mailbox,
                                                          who, status):
    # The system administrator gets the settings pages; the mail itself is not shown to
    # him (test_the_system_administrator_sees_the_settings_but_no_mail_and_cannot_poll).
    client = verified_client(request.getfixturevalue(who))
    for url in ("/servicedesk/mailboxes/", "/servicedesk/mailboxes/new/",
                f"/servicedesk/mailboxes/{mailbox.pk}/",
                f"/servicedesk/mailboxes/{mailbox.pk}/edit/"):
        assert client.get(url).status_code == status, url
    assert client.post(f"/servicedesk/mailboxes/{mailbox.pk}/delete/").status_code in (
        status if status != 200 else 302,)


def test_the_system_administrator_sees_the_settings_but_no_mail_and_cannot_poll(
        verified_client, mailbox, alice, sysadmin):
    InboundMail.objects.create(mailbox=mailbox, uid=1, message_id="<m1@hospital.example>",
                               sender="nurse@hospital.example", subject="病历系统打不开",
                               received_at=NOW, outcome="refused", reason="unknown sender")
    url = f"/servicedesk/mailboxes/{mailbox.pk}/"
    admin = verified_client(sysadmin).get(url).content.decode()
    assert "helpdesk@hospital.example" in admin                 # the settings
    assert "病历系统打不开" not in admin and "nurse@hospital.example" not in admin
    assert 'data-testid="poll-now"' not in admin
    assert verified_client(sysadmin).post(url + "poll/").status_code == 403
    owner = verified_client(alice).get(url).content.decode()
    assert "病历系统打不开" in owner and 'data-testid="poll-now"' in owner


def test_anonymous_visitors_are_sent_to_the_login(client, mailbox):
    response = client.get("/servicedesk/mailboxes/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_unknown_mailboxes_are_404(verified_client, alice):
    assert verified_client(alice).get("/servicedesk/mailboxes/999/").status_code == 404


def test_the_navigation_offers_mailboxes_to_the_admin_only(verified_client, alice, bob):
    assert "/servicedesk/mailboxes/" in verified_client(alice).get("/").content.decode()
    assert "/servicedesk/mailboxes/" not in verified_client(bob).get("/").content.decode()


def test_it_creates_a_mailbox_with_the_password_in_the_secret_store(verified_client, alice):
    response = verified_client(alice).post("/servicedesk/mailboxes/new/", FORM)
    mailbox = Mailbox.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/servicedesk/mailboxes/{mailbox.pk}/"
    assert mailbox.password is not None
    assert b"Imap-Secret-4711" not in bytes(mailbox.password.ciphertext)
    record = AuditRecord.objects.get(action=AuditAction.CREATE,
                                     object_type="servicedesk.mailbox")
    assert "Imap-Secret-4711" not in str(record.changes) + str(record.detail)
    assert record.detail == {"password_set": True}
    page = verified_client(alice).get(f"/servicedesk/mailboxes/{mailbox.pk}/").content.decode()
    assert "Imap-Secret-4711" not in page and "…4711" in page


def test_bad_input_is_shown_under_its_field(verified_client, alice, mailbox):
    response = verified_client(alice).post("/servicedesk/mailboxes/new/",
                                           {**FORM, "port": "70000", "kind": "nonsense"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"port", "kind"}
    duplicate = verified_client(alice).post("/servicedesk/mailboxes/new/", FORM)
    assert "name" in duplicate.context["form"].errors
    assert Mailbox.objects.count() == 1


def test_moving_the_mailbox_needs_the_password_again(verified_client, alice, mailbox):
    client = verified_client(alice)
    url = f"/servicedesk/mailboxes/{mailbox.pk}/edit/"
    moved = {**FORM, "host": "evil.example", "password": ""}
    response = client.post(url, moved)
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    mailbox.refresh_from_db()
    assert mailbox.host == "127.0.0.1"
    assert client.post(url, {**moved, "password": "New-Secret-0815"}).status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.host == "evil.example" and mailbox.password.hint == "0815"
    record = AuditRecord.objects.filter(action=AuditAction.UPDATE,
                                        object_type="servicedesk.mailbox").get()
    assert record.changes["host"] == ["127.0.0.1", "evil.example"]
    assert "New-Secret-0815" not in str(record.changes)


def test_deleting_a_mailbox_deletes_its_password_and_is_audited(verified_client, alice,
                                                                mailbox):
    secret_pk = mailbox.password_id
    response = verified_client(alice).post(f"/servicedesk/mailboxes/{mailbox.pk}/delete/")
    assert response.status_code == 302
    assert not Mailbox.objects.exists() and not Secret.objects.filter(pk=secret_pk).exists()
    assert AuditRecord.objects.filter(action=AuditAction.DELETE,
                                      object_type="servicedesk.mailbox").exists()


def test_poll_now_shows_a_connection_failure(verified_client, alice, mailbox):
    response = verified_client(alice).post(f"/servicedesk/mailboxes/{mailbox.pk}/poll/",
                                           follow=True)
    assert "Polling failed: Cannot connect to 127.0.0.1" in response.content.decode()
    mailbox.refresh_from_db()
    assert mailbox.last_error.startswith("Cannot connect") and mailbox.last_polled_at


def test_poll_now_only_takes_post(verified_client, alice, mailbox):
    response = verified_client(alice).get(f"/servicedesk/mailboxes/{mailbox.pk}/poll/")
    assert response.status_code == 405


@pytest.mark.parametrize("count", [5, 50])
def test_the_mailbox_page_lists_mail_in_constant_queries(
        verified_client, alice, mailbox, count, django_assert_max_num_queries):
    InboundMail.objects.bulk_create(
        InboundMail(mailbox=mailbox, uid=i, message_id=f"<{i}@x>", sender="x@y.example",
                    subject=f"邮件 {i}", received_at=NOW, outcome="refused",
                    reason=f"No active user has the address x{i}@y.example.")
        for i in range(count))
    client = verified_client(alice)
    with django_assert_max_num_queries(14):
        response = client.get(f"/servicedesk/mailboxes/{mailbox.pk}/")
    assert response.status_code == 200
    assert "x0@y.example" in response.content.decode()


def test_only_the_admin_may_use_the_actions(bob):
    with pytest.raises(PermissionDenied):
        actions.create_mailbox(bob, values={}, password="")
