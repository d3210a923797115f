"""Two-factor login (GB/T 22239-2019 8.1.4.1 d): TOTP authenticator plus recovery codes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from careops.core import twofactor
from careops.core.actions import security as actions
from careops.core.choices import AuditAction, AuditResult
from careops.core.models import AuditRecord
from careops.core.tests.support.security import enrol, password_login, totp_code, travel
from conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def client() -> Client:
    return Client(REMOTE_ADDR="10.1.1.1", HTTP_ACCEPT_LANGUAGE="en")


def verify(client: Client, code: str) -> Any:
    return client.post("/login/verify/", {"code": code})


def signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


# --- enrolment ----------------------------------------------------------------------------


def test_it_enrols_an_authenticator_and_shows_ten_recovery_codes_once(
        client: Client, charlie: Any) -> None:
    client.force_login(charlie)
    page = client.get("/account/two-factor/").content.decode()
    device = TOTPDevice.objects.get(user=charlie)
    assert not device.confirmed
    svg = page.split('data-testid="qr">')[1].split("</div>")[0]
    assert svg.startswith("<svg") and "<path" in svg and "<script" not in svg
    assert "style=" not in svg
    assert twofactor.base32_key(device) in page
    # Reloading keeps the same key, so a half-done scan still works.
    client.get("/account/two-factor/")
    assert TOTPDevice.objects.get(user=charlie).pk == device.pk

    response = client.post("/account/two-factor/", {"code": totp_code(device)})
    page = response.content.decode()
    assert response.status_code == 200
    shown = re.findall(r"<li[^>]*>([a-z0-9]{5}-[a-z0-9]{5})</li>", page)
    assert len(shown) == 10 and len(set(shown)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    rec = AuditRecord.objects.get(action=AuditAction.TWO_FACTOR)
    assert rec.actor_username == "charlie" and rec.detail["operation"] == "enable"
    assert not any(code in rec.detail_json for code in shown)
    # The codes are never shown again.
    page = client.get("/account/two-factor/").content.decode()
    assert not any(code in page for code in shown)
    assert "10 recovery codes left" in page


def test_it_refuses_a_wrong_code_at_enrolment(client: Client, charlie: Any) -> None:
    client.force_login(charlie)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=charlie)
    wrong = f"{(int(totp_code(device)) + 1) % 1000000:06d}"
    page = client.post("/account/two-factor/", {"code": wrong}).content.decode()
    assert "The code is not correct." in page
    device.refresh_from_db()
    assert not device.confirmed
    assert not AuditRecord.objects.filter(action=AuditAction.TWO_FACTOR).exists()


def test_an_administrator_must_enrol_before_anything_else(client: Client, alice: Any) -> None:
    assert alice.requires_two_factor
    response = password_login(client, "alice")
    assert response["Location"] == "/"           # logged in with the password ...
    for path in ("/", "/account/", "/account/password/"):
        assert client.get(path)["Location"] == "/account/two-factor/"   # ... but gated
    page = client.get("/account/two-factor/")
    assert page.status_code == 200 and 'data-testid="two-factor-required"' in page.content.decode()
    api = client.get("/api/v1/")
    assert api.status_code == 403 and api.json()["error"]["code"] == "two_factor_required"
    device = TOTPDevice.objects.get(user=alice)
    client.post("/account/two-factor/", {"code": totp_code(device)})
    assert signed_in(client)


def test_an_administrator_in_the_gate_can_log_out(client: Client, alice: Any) -> None:
    password_login(client, "alice")
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/account/two-factor/")["Location"].startswith("/login/")


# --- logging in with the second factor -------------------------------------------------


def test_it_asks_for_the_code_before_logging_in(client: Client, charlie: Any) -> None:
    device = enrol(charlie)
    response = password_login(client, "charlie")
    assert response["Location"] == "/login/verify/"
    assert not signed_in(client)
    assert not AuditRecord.objects.filter(action=AuditAction.LOGIN).exists()
    response = verify(client, totp_code(device))
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert AuditRecord.objects.filter(action=AuditAction.LOGIN,
                                      actor_username="charlie").exists()


def test_a_code_works_only_once(client: Client, charlie: Any) -> None:
    device = enrol(charlie)
    code = totp_code(device)
    password_login(client, "charlie")
    verify(client, code)
    client.post("/logout/")
    password_login(client, "charlie")
    with travel(dt.timedelta(seconds=2)):   # past the throttle, same code window
        assert "The code is not correct" in verify(client, code).content.decode()
    assert not signed_in(client)


def test_an_administrator_logs_in_with_the_code_and_passes_the_gate(
        client: Client, alice: Any) -> None:
    device = enrol(alice)
    password_login(client, "alice")
    verify(client, totp_code(device))
    assert signed_in(client)


def test_it_logs_in_once_with_each_recovery_code(client: Client, charlie: Any) -> None:
    device = enrol(charlie)
    code = device.recovery_codes[0]
    password_login(client, "charlie")
    response = verify(client, code.upper().replace("-", " "))   # typed loosely
    assert response["Location"] == "/"
    assert signed_in(client)
    assert twofactor.recovery_codes_left(charlie) == 9
    used = AuditRecord.objects.get(action=AuditAction.TWO_FACTOR,
                                   detail_json__contains="recovery code used")
    assert used.detail["left"] == 9
    client.post("/logout/")
    password_login(client, "charlie")
    with travel(dt.timedelta(seconds=2)):
        assert "The code is not correct" in verify(client, code).content.decode()


def test_wrong_codes_are_audited_and_lock_the_login(client: Client, charlie: Any) -> None:
    device = enrol(charlie)
    password_login(client, "charlie")
    wrong = f"{(int(totp_code(device)) + 500000) % 1000000:06d}"
    responses = []
    for i in range(5):
        with travel(dt.timedelta(seconds=2 ** i + i)):   # past TOTP's own throttle each time
            responses.append(verify(client, wrong))
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 403
    assert 'data-testid="locked-out"' in responses[4].content.decode()
    failed = AuditRecord.objects.filter(action=AuditAction.OTP_FAILED)
    assert failed.count() == 5
    assert {r.actor_username for r in failed} == {"charlie"}
    assert {r.result for r in failed} == {AuditResult.FAILURE}
    assert wrong not in "".join(r.detail_json for r in failed)
    assert AuditRecord.objects.filter(action=AuditAction.LOCKOUT).exists()
    # Not counted twice as a password failure.
    assert not AuditRecord.objects.filter(action=AuditAction.LOGIN_FAILED).exists()
    # Locked: even the password step refuses now.
    with travel(dt.timedelta(seconds=40)):
        assert password_login(client, "charlie").status_code == 403


def test_totp_throttling_refuses_the_right_code_right_after_a_wrong_one(
        client: Client, charlie: Any) -> None:
    device = enrol(charlie)
    password_login(client, "charlie")
    wrong = f"{(int(totp_code(device)) + 1) % 1000000:06d}"
    verify(client, wrong)
    page = verify(client, totp_code(device)).content.decode()
    assert "Wait a few seconds" in page
    assert not signed_in(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1   # a throttled try is refused unread
    with travel(dt.timedelta(seconds=3)):
        assert verify(client, totp_code(device))["Location"] == "/"
        assert signed_in(client)


def test_the_half_done_login_expires_after_five_minutes(client: Client, charlie: Any) -> None:
    device = enrol(charlie)
    password_login(client, "charlie")
    with travel(dt.timedelta(minutes=5, seconds=5)):
        response = verify(client, totp_code(device))
        assert response["Location"] == "/login/"
        assert not signed_in(client)
    assert client.get("/login/verify/")["Location"] == "/login/"


def test_the_verify_page_needs_the_password_first(client: Client, charlie: Any) -> None:
    assert client.get("/login/verify/")["Location"] == "/login/"


def test_a_password_only_session_of_a_user_with_an_authenticator_is_ended(
        client: Client, charlie: Any) -> None:
    enrol(charlie)
    client.force_login(charlie)   # as if the second factor had been skipped
    response = client.get("/")
    assert response["Location"] == "/login/"
    assert client.get("/account/")["Location"].startswith("/login/")


# --- managing one's own second factor -------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(client: Client, charlie: Any) -> None:
    device = enrol(charlie)
    old = device.recovery_codes
    password_login(client, "charlie")
    verify(client, totp_code(device))
    refused = client.post("/account/two-factor/recovery-codes/", {"password": "nope"},
                          follow=True)
    assert "The password is not correct" in refused.content.decode()
    page = client.post("/account/two-factor/recovery-codes/",
                       {"password": PASSWORD}).content.decode()
    new = re.findall(r"<li[^>]*>([a-z0-9]{5}-[a-z0-9]{5})</li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/logout/")
    password_login(client, "charlie")
    assert "The code is not correct" in verify(client, old[1]).content.decode()
    with travel(dt.timedelta(seconds=2)):
        assert verify(client, new[1])["Location"] == "/"
    ops = [r.detail["operation"] for r in AuditRecord.objects.filter(
        action=AuditAction.TWO_FACTOR).order_by("id")]
    assert ops == ["enable", "regenerate recovery codes", "recovery code used"]


def test_a_user_whose_role_allows_it_can_turn_it_off(client: Client, charlie: Any) -> None:
    device = enrol(charlie)
    password_login(client, "charlie")
    verify(client, totp_code(device))
    client.post("/account/two-factor/disable/", {"password": "wrong"})
    assert twofactor.has_two_factor(charlie)
    client.post("/account/two-factor/disable/", {"password": PASSWORD})
    assert not twofactor.has_two_factor(charlie)
    assert not StaticDevice.objects.filter(user=charlie).exists()
    assert AuditRecord.objects.filter(action=AuditAction.TWO_FACTOR,
                                      detail_json__contains="disable").exists()
    client.post("/logout/")
    assert password_login(client, "charlie")["Location"] == "/"


def test_an_administrator_cannot_turn_it_off(client: Client, alice: Any) -> None:
    device = enrol(alice)
    password_login(client, "alice")
    verify(client, totp_code(device))
    page = client.get("/account/two-factor/").content.decode()
    assert 'data-testid="disable-not-allowed"' in page
    assert "/account/two-factor/disable/" not in page
    response = client.post("/account/two-factor/disable/", {"password": PASSWORD})
    assert response.status_code == 403
    assert twofactor.has_two_factor(alice)
    with pytest.raises(PermissionDenied):
        actions.disable_two_factor(alice)


def test_the_profile_shows_the_second_factor_state(verified_client: Any, charlie: Any) -> None:
    client = verified_client(charlie)
    client.cookies.load({"django_language": "en"})
    page = client.get("/account/").content.decode()
    assert "Charlie 张" in page and "Department user" in page
    assert "Off" in page.split('data-testid="two-factor-state"')[1][:200]
    enrol(charlie)
    page = client.get("/account/").content.decode()
    assert "On" in page.split('data-testid="two-factor-state"')[1][:200]
    assert "10 recovery codes left" in page


# --- the security administrator resets a second factor ----------------------------------


def test_the_security_administrator_resets_a_lost_second_factor(
        verified_client: Any, alice: Any, secadmin: Any) -> None:
    enrol(alice)
    admin = verified_client(secadmin)
    admin.cookies.load({"django_language": "en"})
    page = admin.get(f"/security/users/{alice.pk}/").content.decode()
    assert "Reset two-factor login" in page and "data-confirm=" in page
    response = admin.post(f"/security/users/{alice.pk}/reset-two-factor/")
    assert response["Location"] == f"/security/users/{alice.pk}/"
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not StaticDevice.objects.filter(user=alice, name=twofactor.RECOVERY_NAME).exists()
    rec = AuditRecord.objects.filter(action=AuditAction.TWO_FACTOR).latest("id")
    assert rec.actor_username == "secadmin" and rec.object_id == str(alice.pk)
    assert rec.detail["operation"] == "reset"
    # alice logs in with the password and must enrol again.
    client = Client(REMOTE_ADDR="10.1.1.2")
    assert password_login(client, "alice")["Location"] == "/"
    assert client.get("/")["Location"] == "/account/two-factor/"


def test_nobody_else_resets_a_second_factor(
        verified_client: Any, alice: Any, sysadmin: Any, secadmin: Any) -> None:
    enrol(alice)
    client = verified_client(sysadmin)
    assert client.post(f"/security/users/{alice.pk}/reset-two-factor/").status_code == 403
    with pytest.raises(PermissionDenied):
        actions.reset_two_factor(sysadmin, alice)
    # Not even the security administrator for their own account.
    with pytest.raises(PermissionDenied):
        actions.reset_two_factor(secadmin, secadmin)
    assert TOTPDevice.objects.filter(user=alice).exists()


# --- API token -----------------------------------------------------------------------------


def test_a_user_creates_and_revokes_an_api_token(verified_client: Any, charlie: Any) -> None:
    client = verified_client(charlie)
    page = client.post("/account/api-token/").content.decode()
    key = page.split('data-testid="api-token">')[1].split("<")[0]
    assert len(key) == 40
    api = Client()
    assert api.get("/api/v1/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert key not in client.get("/account/").content.decode()    # shown once
    created = AuditRecord.objects.get(action=AuditAction.CREATE,
                                      object_type="authtoken.token")
    assert key not in created.detail_json + created.changes_json
    client.post("/account/api-token/revoke/")
    assert api.get("/api/v1/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert AuditRecord.objects.filter(action=AuditAction.DELETE,
                                      object_type="authtoken.token").exists()


def test_a_new_token_replaces_the_old_one(verified_client: Any, charlie: Any) -> None:
    client = verified_client(charlie)
    first = client.post("/account/api-token/").content.decode().split(
        'data-testid="api-token">')[1].split("<")[0]
    client.post("/account/api-token/")
    assert Client().get("/api/v1/", HTTP_AUTHORIZATION=f"Token {first}").status_code == 401


def test_token_pages_need_post(verified_client: Any, charlie: Any) -> None:
    client = verified_client(charlie)
    assert client.get("/account/api-token/").status_code == 405
