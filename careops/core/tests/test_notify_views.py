"""Channel pages and /api/v1/channels/, as alice (hospital admin) and the others.

The bot platforms are stood in for by a local HTTP receiver (notify_support.py):
WeCom, DingTalk and Feishu cannot be reached from a test.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from careops.core.actions import notifications as actions
from careops.core.models import AuditRecord, Channel, Secret
from careops.core.tests import notify_support as support

receiver = support.receiver
pytestmark = [pytest.mark.usefixtures("english"), pytest.mark.django_db]

KEY = "wecom-key-0123456789abcdef"
SIGN = "SECsigning-secret-9876543210"


def test_only_channel_managers_see_the_pages(verified_client, alice, bob, charlie, sysadmin):
    for user in (bob, charlie):
        client = verified_client(user)
        assert client.get("/channels/").status_code == 403
        assert client.get("/channels/new/").status_code == 403
    assert verified_client(sysadmin).get("/channels/").status_code == 200
    response = verified_client(alice).get("/channels/")
    assert response.status_code == 200
    assert "No notification channels yet" in response.content.decode()


def test_the_form_shows_the_fields_of_the_chosen_kind(verified_client, alice):
    client = verified_client(alice)
    page = client.get("/channels/new/").content.decode()
    assert 'hx-get="/channels/new/"' in page and 'name="webhook_url"' not in page
    page = client.get("/channels/new/?kind=dingtalk").content.decode()
    assert 'name="webhook_url"' in page and 'name="signing_secret"' in page
    assert 'name="at_mobiles"' in page and 'name="host"' not in page
    page = client.get("/channels/new/?kind=email").content.decode()
    assert 'name="host"' in page and 'name="password"' in page and 'name="webhook_url"' not in page
    assert "<script>" not in page and 'style="' not in page


def test_bad_input_names_the_field_and_saves_nothing(verified_client, alice):
    client = verified_client(alice)
    response = client.post("/channels/new/", {
        "kind": "email", "name": "邮件", "host": "smtp.hospital.example", "port": "70000",
        "security": "starttls", "from_address": "not-an-address", "to": "noc@h.example, x@",
        "subject_prefix": "CareOps"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-field="port"' in page and 'data-field="from_address"' in page
    assert 'data-field="to"' in page and "x@" in page
    assert not Channel.objects.exists() and not Secret.objects.exists()


def test_alice_creates_a_bot_channel_and_its_secrets_never_show(verified_client, alice, receiver):
    client = verified_client(alice)
    response = client.post("/channels/new/", {
        "kind": "dingtalk", "name": "信息科值班群", "webhook_url": KEY, "signing_secret": SIGN,
        "base_url": receiver.base, "at_mobiles": "13800138000", "enabled": "on"})
    channel = Channel.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/channels/{channel.pk}/"
    assert channel.config["base_url"] == receiver.base and KEY not in json.dumps(channel.config)
    pages = [client.get(url).content.decode() for url in (
        "/channels/", f"/channels/{channel.pk}/", f"/channels/{channel.pk}/edit/")]
    for page in pages:
        assert KEY not in page and SIGN not in page
    assert "••••••" in pages[1] and SIGN[-4:] in pages[1]
    record = AuditRecord.objects.get(action="create", object_type="core.channel")
    assert KEY not in record.changes_json + record.detail_json
    assert SIGN not in "".join(r.changes_json + r.detail_json
                               for r in AuditRecord.objects.all())

    # Editing with the secret fields left blank keeps the stored secrets.
    response = client.post(f"/channels/{channel.pk}/edit/", {
        "kind": "dingtalk", "name": "信息科值班群", "webhook_url": "", "signing_secret": "",
        "base_url": receiver.base, "at_mobiles": "", "enabled": ""})
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.secret is not None and channel.signing_secret is not None
    assert channel.enabled is False and channel.config["at_mobiles"] == []


def test_send_test_button_shows_the_result_and_the_log(verified_client, alice, receiver,
                                                       django_capture_on_commit_callbacks):
    channel = actions.create_channel(alice, name="企业微信", kind="wecom",
                                     values={"webhook_url": KEY, "base_url": receiver.base})
    client = verified_client(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/channels/{channel.pk}/test/", HTTP_HX_REQUEST="true")
    # The worker sends after the request's transaction commits: the box polls for the result.
    page = response.content.decode()
    assert response.status_code == 200 and 'data-status="pending"' in page
    result_url = f"/notifications/{channel.notifications.get().pk}/result/"
    assert f'hx-get="{result_url}"' in page
    page = client.get(result_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="sent"' in page and "hx-get" not in page
    [request] = receiver.requests
    assert "企业微信" in request.json()["markdown"]["content"]
    page = client.get(f"/channels/{channel.pk}/").content.decode()
    assert 'data-testid="delivery-log"' in page and "channel.test" in page
    assert client.get("/channels/").content.decode().count("bg-green-lt") >= 2
    assert AuditRecord.objects.filter(action="notify", object_id=str(channel.pk)).count() == 1


def test_a_failing_test_shows_the_platform_error(verified_client, alice, receiver,
                                                 django_capture_on_commit_callbacks):
    receiver.answer((200, {"errcode": 93000, "errmsg": "invalid webhook url"}))
    channel = actions.create_channel(alice, name="企业微信", kind="wecom",
                                     values={"webhook_url": KEY, "base_url": receiver.base})
    client = verified_client(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/channels/{channel.pk}/test/", HTTP_HX_REQUEST="true")
    notification = channel.notifications.get()
    page = client.get(f"/notifications/{notification.pk}/result/").content.decode()
    assert "93000" in page and "invalid webhook url" in page
    assert "It will be tried again" in page and "hx-get" not in page
    # Without htmx: back to the detail page, whose log shows the error.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/channels/{channel.pk}/test/", follow=True)
    assert "Test message queued" in response.content.decode()
    page = client.get(f"/channels/{channel.pk}/").content.decode()
    assert page.count("invalid webhook url") == 2


def test_delete_removes_the_channel_and_its_secrets(verified_client, alice):
    channel = actions.create_channel(alice, name="x", kind="wecom", values={"webhook_url": KEY})
    client = verified_client(alice)
    assert client.get(f"/channels/{channel.pk}/delete/").status_code == 405
    response = client.post(f"/channels/{channel.pk}/delete/")
    assert response.status_code == 302
    assert not Channel.objects.exists() and not Secret.objects.exists()


def api(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_api_crud_with_write_only_secrets(alice, receiver, django_capture_on_commit_callbacks):
    client = api(alice)
    response = client.post("/api/v1/channels/", {
        "name": "飞书", "kind": "feishu", "config": {"base_url": receiver.base, "style": "text"},
        "secrets": {"webhook_url": KEY, "signing_secret": SIGN}}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert "secrets" not in body and KEY not in response.content.decode()
    assert set(body["secrets_set"]) == {"webhook_url", "signing_secret"}
    pk = body["id"]

    receiver.answer((200, {"code": 0, "msg": "success"}))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/channels/{pk}/test/")
    assert response.status_code == 202 and response.json()["status"] == "pending"
    assert receiver.requests[0].json()["msg_type"] == "text"

    response = client.patch(f"/api/v1/channels/{pk}/", {"config": {"style": "card"}},
                            format="json")
    assert response.status_code == 200 and response.json()["config"]["style"] == "card"
    log = client.get(f"/api/v1/channels/{pk}/notifications/").json()
    assert log["count"] == 1 and log["results"][0]["status"] == "sent"
    assert log["results"][0]["attempts_log"][0]["outcome"] == "success"

    assert client.delete(f"/api/v1/channels/{pk}/").status_code == 204
    assert not Channel.objects.exists()


def test_api_errors_name_the_field(alice):
    client = api(alice)
    response = client.post("/api/v1/channels/", {
        "name": "mail", "kind": "email",
        "config": {"host": "smtp.h.example", "port": 0, "from_address": "noc@h.example",
                   "to": ["bad"]}}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"config.port", "config.to"}
    response = client.post("/api/v1/channels/", {
        "name": "hook", "kind": "webhook", "config": {"url": "ftp://x.example/"},
        "secrets": {"password": "x"}}, format="json")
    assert set(response.json()["error"]["fields"]) == {"secrets.password"}
    response = client.post("/api/v1/channels/", {
        "name": "hook", "kind": "webhook", "config": {"url": "ftp://x.example/"}}, format="json")
    assert set(response.json()["error"]["fields"]) == {"config.url"}
    channel = actions.create_channel(alice, name="bot", kind="wecom", values={"webhook_url": KEY})
    response = client.patch(f"/api/v1/channels/{channel.pk}/", {"kind": "email"}, format="json")
    assert set(response.json()["error"]["fields"]) == {"kind"}
    assert not Channel.objects.exclude(pk=channel.pk).exists()


def test_api_is_forbidden_without_the_capability(bob, charlie, secadmin):
    for user in (bob, charlie, secadmin):
        assert api(user).get("/api/v1/channels/").status_code == 403
        assert api(user).post("/api/v1/channels/", {}, format="json").status_code == 403


def test_actions_refuse_users_without_the_capability(bob):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.create_channel(bob, name="x", kind="wecom", values={"webhook_url": KEY})
