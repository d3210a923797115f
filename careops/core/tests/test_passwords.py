"""Password policy (GB/T 22239-2019 8.1.4.1 a): complexity, history, expiry, argon2."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from careops.core.actions import security as actions
from careops.core.choices import AuditAction
from careops.core.models import AuditRecord, PasswordHistory
from careops.core.passwords import password_expired
from conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).resolve().parents[3]


def change(client: Any, old: str, new: str, again: str | None = None) -> Any:
    return client.post("/account/password/", {
        "old_password": old, "new_password": new,
        "new_password_again": new if again is None else again})


def codes(password: str, user: Any) -> set[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return {e.code for e in exc.error_list if e.code}
    return set()


# --- hashing ------------------------------------------------------------------------------


def test_it_hashes_with_argon2_in_production(db: Any) -> None:
    assert settings.PRODUCTION_PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=settings.PRODUCTION_PASSWORD_HASHERS):
        encoded = make_password("Tr0ub4dor&3")
        assert encoded.startswith("argon2$argon2id$")
        assert check_password("Tr0ub4dor&3", encoded)
        assert not check_password("Tr0ub4dor&4", encoded)


def test_it_uses_the_production_hashers_outside_tests(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CAREOPS_", "PYTEST", "DJANGO_"))}
    env.update({"CAREOPS_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "careops.settings",
                "PYTHONPATH": str(ROOT)})
    out = subprocess.run(
        [sys.executable, "-c",
         "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"],
        env=env, cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"


# --- the validators ---------------------------------------------------------------------


@pytest.mark.parametrize(("password", "expected"), [
    ("Ab1!xyz", {"password_too_short"}),                 # 7 characters
    ("abcdefgh12", {"password_too_simple"}),             # 2 classes
    ("ABCDEFGHIJ!!", {"password_too_simple"}),           # 2 classes
    ("Abcdefgh12", set()),                               # 3 classes, 10 characters
    ("abcdefg1!", set()),                                # lower + digit + symbol
    ("Xx-charlie-42", {"password_contains_username"}),
    ("Xx-CHARLIE-42", {"password_contains_username"}),   # case does not hide it
    ("Password1", {"password_too_common"}),
])
def test_it_applies_each_complexity_rule(charlie: Any, password: str,
                                         expected: set[str]) -> None:
    assert codes(password, charlie) == expected


def test_it_refuses_the_last_five_passwords_and_allows_the_sixth(charlie: Any) -> None:
    history = [PASSWORD, "Second-Pass-2", "Third-Pass-3", "Fourth-Pass-4", "Fifth-Pass-5",
               "Sixth-Pass-6"]
    for old, new in itertools.pairwise(history):
        actions.change_password(charlie, old, new)
    # The current one and the four before it are refused ...
    for earlier in history[1:]:
        assert "password_reused" in codes(earlier, charlie), earlier
    # ... the sixth-last (the very first) is allowed again.
    assert codes(PASSWORD, charlie) == set()
    assert PasswordHistory.objects.filter(user=charlie).count() == 5


@override_settings(PASSWORD_HISTORY_COUNT=0)
def test_it_can_switch_the_history_rule_off(charlie: Any) -> None:
    assert codes(PASSWORD, charlie) == set()


# --- the password page ----------------------------------------------------------------


@pytest.mark.parametrize(("new", "message"), [
    ("Ab1!xyz", "at least 8 characters"),
    ("abcdefgh12", "at least 3 of"),
    ("Xx-charlie-42", "must not contain the user name"),
    ("Password1", "too common"),
    (PASSWORD, "must differ from the current one"),
])
def test_it_enforces_each_rule_on_the_password_page(
        verified_client: Any, charlie: Any, new: str, message: str) -> None:
    client = verified_client(charlie)
    client.cookies.load({"django_language": "en"})
    response = change(client, PASSWORD, new)
    assert response.status_code == 200
    assert message in response.content.decode()
    charlie.refresh_from_db()
    assert charlie.check_password(PASSWORD)
    assert not AuditRecord.objects.filter(action=AuditAction.PASSWORD_CHANGE).exists()


def test_it_refuses_a_password_of_the_history_on_the_page(
        verified_client: Any, charlie: Any) -> None:
    actions.change_password(charlie, PASSWORD, "Second-Pass-2")
    client = verified_client(charlie)
    client.cookies.load({"django_language": "en"})
    response = change(client, "Second-Pass-2", PASSWORD)
    assert "must differ from your last 5 passwords" in response.content.decode()


def test_it_checks_the_current_password_and_the_repetition(
        verified_client: Any, charlie: Any) -> None:
    client = verified_client(charlie)
    client.cookies.load({"django_language": "en"})
    page = change(client, "wrong-Old-1", "Brand-New-77").content.decode()
    assert "current password is not correct" in page
    page = change(client, PASSWORD, "Brand-New-77", again="Brand-New-78").content.decode()
    assert "two new passwords differ" in page
    charlie.refresh_from_db()
    assert charlie.check_password(PASSWORD)


def test_it_changes_the_password_audits_it_and_keeps_the_session(
        verified_client: Any, charlie: Any) -> None:
    client = verified_client(charlie)
    response = change(client, PASSWORD, "Brand-New-77")
    assert response.status_code == 302 and response["Location"] == "/account/"
    charlie.refresh_from_db()
    assert charlie.check_password("Brand-New-77")
    assert client.get("/").status_code == 200  # still signed in
    rec = AuditRecord.objects.get(action=AuditAction.PASSWORD_CHANGE)
    assert rec.actor_username == "charlie"
    assert "Brand-New-77" not in rec.changes_json + rec.detail_json
    assert rec.changes == {"password": ["******", "******"]}
    assert rec.detail == {"required": False}


# --- expiry -----------------------------------------------------------------------------


def test_it_expires_passwords_after_ninety_days_by_default(charlie: Any) -> None:
    assert settings.PASSWORD_EXPIRY_DAYS == 90
    now = timezone.now()
    charlie.password_changed_at = now - dt.timedelta(days=89)
    assert not password_expired(charlie, now)
    charlie.password_changed_at = now - dt.timedelta(days=91)
    assert password_expired(charlie, now)
    with override_settings(PASSWORD_EXPIRY_DAYS=30):
        charlie.password_changed_at = now - dt.timedelta(days=31)
        assert password_expired(charlie, now)
    with override_settings(PASSWORD_EXPIRY_DAYS=0):
        charlie.password_changed_at = now - dt.timedelta(days=3000)
        assert not password_expired(charlie, now)


def test_it_sends_an_expired_password_to_the_password_page_only(
        verified_client: Any, charlie: Any) -> None:
    charlie.password_changed_at = timezone.now() - dt.timedelta(days=91)
    charlie.save()
    client = verified_client(charlie)
    for path in ("/", "/account/", "/account/two-factor/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/account/password/"
    page = client.get("/account/password/")
    assert page.status_code == 200 and 'data-testid="password-forced"' in page.content.decode()
    assert client.post("/logout/").status_code == 302  # logging out stays possible
    client = verified_client(charlie)
    change(client, PASSWORD, "Brand-New-77")
    assert client.get("/").status_code == 200


def test_it_forces_a_change_when_the_administrator_asks_for_it(
        verified_client: Any, charlie: Any) -> None:
    charlie.must_change_password = True
    charlie.save()
    client = verified_client(charlie)
    assert client.get("/")["Location"] == "/account/password/"
    change(client, PASSWORD, "Brand-New-77")
    charlie.refresh_from_db()
    assert not charlie.must_change_password
    assert AuditRecord.objects.get(action=AuditAction.PASSWORD_CHANGE).detail == {
        "required": True}
    assert client.get("/").status_code == 200


def test_it_sends_an_administrator_to_change_the_password_first_then_to_enrol(
        client: Any, alice: Any) -> None:
    alice.must_change_password = True
    alice.save()
    client.force_login(alice)
    assert client.get("/")["Location"] == "/account/password/"
    assert client.get("/account/two-factor/")["Location"] == "/account/password/"
    change(client, PASSWORD, "Brand-New-77")
    assert client.get("/")["Location"] == "/account/two-factor/"
    assert client.get("/account/two-factor/").status_code == 200
