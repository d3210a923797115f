"""Login failure handling and session timeout (GB/T 22239-2019 8.1.4.1 b)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from careops.core.actions import security as actions
from careops.core.choices import AuditAction, AuditResult
from careops.core.models import AuditRecord
from careops.core.tests.support.security import password_login, travel
from conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("english")

ADDRESS = "10.20.30.40"
OTHER_ADDRESS = "10.20.30.99"


def client_from(address: str) -> Client:
    return Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")


def fail(client: Client, username: str, times: int) -> Any:
    response = None
    for _ in range(times):
        response = password_login(client, username, "Wrong-Password-1")
    return response


def logged_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def test_it_logs_in_with_the_right_password(charlie: Any) -> None:
    client = client_from(ADDRESS)
    response = password_login(client, "charlie")
    assert response.status_code == 302 and response["Location"] == "/"
    assert logged_in(client)
    rec = AuditRecord.objects.get(action=AuditAction.LOGIN)
    assert rec.actor_username == "charlie" and rec.source_ip == ADDRESS


def test_it_audits_a_failed_login_without_the_password(charlie: Any) -> None:
    response = fail(client_from(ADDRESS), "charlie", 1)
    assert response.status_code == 200
    assert "The user name or password is not correct." in response.content.decode()
    rec = AuditRecord.objects.get(action=AuditAction.LOGIN_FAILED)
    assert rec.actor_username == "charlie" and rec.source_ip == ADDRESS
    assert rec.result == AuditResult.FAILURE
    assert "Wrong-Password-1" not in rec.changes_json + rec.detail_json + rec.object_repr


def test_it_locks_out_after_five_failures_even_with_the_right_password(charlie: Any) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    client = client_from(ADDRESS)
    assert fail(client, "charlie", 4).status_code == 200
    fifth = fail(client, "charlie", 1)
    assert fifth.status_code == 403 and 'data-testid="locked-out"' in fifth.content.decode()
    sixth = password_login(client, "charlie")  # the RIGHT password
    assert sixth.status_code == 403
    assert "locked for 15 minutes" in sixth.content.decode()
    assert not logged_in(client)
    lock = AuditRecord.objects.filter(action=AuditAction.LOCKOUT).first()
    assert lock is not None and lock.actor_username == "charlie"
    assert lock.result == AuditResult.DENIED and lock.detail == {"ip_address": ADDRESS}
    assert AuditRecord.objects.filter(action=AuditAction.LOGIN_FAILED).count() >= 5
    assert not AuditRecord.objects.filter(action=AuditAction.LOGIN).exists()


def test_it_locks_the_address_for_every_account(charlie: Any, bob: Any) -> None:
    client = client_from(ADDRESS)
    fail(client, "charlie", 5)
    response = password_login(client, "bob")
    assert response.status_code == 403
    assert not logged_in(client)
    # bob from another address is not affected.
    other = client_from(OTHER_ADDRESS)
    assert password_login(other, "bob").status_code == 302


def test_it_locks_the_account_from_every_address(charlie: Any) -> None:
    fail(client_from(ADDRESS), "charlie", 5)
    other = client_from(OTHER_ADDRESS)
    assert password_login(other, "charlie").status_code == 403
    assert not logged_in(other)


def test_it_counts_failures_spread_over_addresses_against_the_account(charlie: Any) -> None:
    for i in range(5):
        fail(client_from(f"10.0.0.{i + 1}"), "charlie", 1)
    assert password_login(client_from(OTHER_ADDRESS), "charlie").status_code == 403


def test_it_lets_the_account_in_after_the_cool_off(charlie: Any) -> None:
    client = client_from(ADDRESS)
    fail(client, "charlie", 5)
    with travel(dt.timedelta(minutes=14)):
        assert password_login(client_from(OTHER_ADDRESS), "charlie").status_code == 403
    # The refused try at minute 14 counts as a failure too: the cool-off starts again.
    with travel(dt.timedelta(minutes=14 + 16)):
        response = password_login(client, "charlie")
        assert response.status_code == 302
        assert logged_in(client)


def test_it_forgets_failures_after_a_successful_login(charlie: Any) -> None:
    client = client_from(ADDRESS)
    fail(client, "charlie", 4)
    assert password_login(client, "charlie").status_code == 302
    client.post("/logout/")
    assert fail(client, "charlie", 4).status_code == 200


# --- unlocking ----------------------------------------------------------------------------


def test_the_security_administrator_unlocks_an_account_and_address(
        charlie: Any, secadmin: Any) -> None:
    client = client_from(ADDRESS)
    fail(client, "charlie", 5)
    removed = actions.unlock(secadmin, username="charlie", ip=ADDRESS)
    assert removed >= 1
    assert password_login(client, "charlie").status_code == 302
    rec = AuditRecord.objects.get(action=AuditAction.UNLOCK)
    assert rec.actor_username == "secadmin"
    assert rec.detail["username"] == "charlie" and rec.detail["ip_address"] == ADDRESS


def test_unlocking_only_the_account_leaves_the_address_locked(
        charlie: Any, bob: Any, secadmin: Any) -> None:
    client = client_from(ADDRESS)
    fail(client, "mallory", 5)          # an address guessing names
    fail(client_from(OTHER_ADDRESS), "charlie", 5)
    actions.unlock(secadmin, username="charlie")
    assert password_login(client_from(OTHER_ADDRESS), "charlie").status_code == 302
    assert password_login(client, "bob").status_code == 403
    actions.unlock(secadmin, ip=ADDRESS)
    assert password_login(client, "bob").status_code == 302


def test_only_the_security_administrator_may_unlock(
        alice: Any, sysadmin: Any, secadmin: Any) -> None:
    for user in (alice, sysadmin):
        with pytest.raises(PermissionDenied):
            actions.unlock(user, username="charlie")
    with pytest.raises(ValidationError):
        actions.unlock(secadmin)
    assert not AuditRecord.objects.filter(action=AuditAction.UNLOCK).exists()


def test_the_lockout_page_lists_and_unlocks(
        verified_client: Any, charlie: Any, secadmin: Any) -> None:
    fail(client_from(ADDRESS), "charlie", 5)
    client = verified_client(secadmin)
    page = client.get("/security/lockouts/").content.decode()
    accounts = page.split('data-testid="locked-accounts"')[1].split("</table>")[0]
    addresses = page.split('data-testid="locked-addresses"')[1].split("</table>")[0]
    assert "charlie" in accounts and ADDRESS in addresses
    assert "data-confirm=" in accounts
    response = client.post("/security/lockouts/unlock/", {"username": "charlie"})
    assert response.status_code == 302 and response["Location"] == "/security/lockouts/"
    page = client.get("/security/lockouts/").content.decode()
    accounts = page.split('data-testid="locked-accounts"')[1].split("</table>")[0]
    assert "charlie" not in accounts
    client.post("/security/lockouts/unlock/", {"ip_address": ADDRESS})
    addresses = client.get("/security/lockouts/").content.decode().split(
        'data-testid="locked-addresses"')[1].split("</table>")[0]
    assert ADDRESS not in addresses
    assert AuditRecord.objects.filter(action=AuditAction.UNLOCK).count() == 2


def test_the_unlock_form_names_a_bad_address(verified_client: Any, secadmin: Any) -> None:
    client = verified_client(secadmin)
    client.cookies.load({"django_language": "en"})
    response = client.post("/security/lockouts/unlock/", {"ip_address": "not-an-ip"},
                           follow=True)
    assert "Enter a valid IPv4 or IPv6 address." in response.content.decode()
    response = client.post("/security/lockouts/unlock/", {}, follow=True)
    assert "Name an account or an address to unlock." in response.content.decode()
    assert not AuditRecord.objects.filter(action=AuditAction.UNLOCK).exists()


@pytest.mark.parametrize("fixture", ["alice", "sysadmin", "auditadmin", "charlie"])
def test_only_the_security_administrator_sees_the_security_pages(
        verified_client: Any, request: Any, fixture: str, bob: Any) -> None:
    client = verified_client(request.getfixturevalue(fixture))
    assert client.get("/security/lockouts/").status_code == 403
    assert client.post("/security/lockouts/unlock/", {"username": "x"}).status_code == 403
    assert client.get(f"/security/users/{bob.pk}/").status_code == 403


def test_the_security_pages_need_a_login(client: Any, bob: Any) -> None:
    response = client.get("/security/lockouts/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_user_security_page_shows_and_lifts_a_lock(
        verified_client: Any, charlie: Any, secadmin: Any) -> None:
    fail(client_from(ADDRESS), "charlie", 5)
    client = verified_client(secadmin)
    client.cookies.load({"django_language": "en"})
    page = client.get(f"/security/users/{charlie.pk}/").content.decode()
    assert "Locked" in page and ADDRESS in page
    response = client.post("/security/lockouts/unlock/", {
        "username": "charlie", "next": f"/security/users/{charlie.pk}/"})
    assert response["Location"] == f"/security/users/{charlie.pk}/"
    assert "Not locked" in client.get(f"/security/users/{charlie.pk}/").content.decode()


# --- redirects and sessions ------------------------------------------------------------


def test_it_returns_to_the_page_asked_for_but_never_off_site(charlie: Any) -> None:
    client = client_from(ADDRESS)
    response = client.post("/login/?next=/account/", {"username": "charlie",
                                                      "password": PASSWORD})
    assert response["Location"] == "/account/"
    client.post("/logout/")
    response = client.post("/login/", {"username": "charlie", "password": PASSWORD,
                                       "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_it_ends_an_idle_session_after_thirty_minutes(charlie: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    client = client_from(ADDRESS)
    password_login(client, "charlie")
    # Each request within 30 minutes keeps the session alive ...
    with travel(dt.timedelta(minutes=29)):
        assert logged_in(client)
    with travel(dt.timedelta(minutes=58)):
        assert logged_in(client)
    # ... 31 idle minutes end it.
    with travel(dt.timedelta(minutes=58 + 31)):
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")
