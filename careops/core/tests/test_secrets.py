"""The secret store and its pages (GB/T 22239-2019 8.1.4.7 confidentiality)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from careops.core import secrets
from careops.core.choices import AuditAction
from careops.core.logredact import RedactFilter
from careops.core.models import AuditRecord, Secret, SecretKind

pytestmark = pytest.mark.usefixtures("english")

VALUE = "Db-Pa55word-of-HIS-2024"
KEY = Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def secrets_key() -> Iterator[None]:
    with override_settings(SECRETS_KEYS=[KEY]):
        secrets.reset_key_cache()
        yield
    secrets.reset_key_cache()


@pytest.fixture
def admin(verified_client: Any, secadmin: Any) -> Any:
    client = verified_client(secadmin)
    client.cookies.load({"django_language": "en"})
    return client


def create(client: Any, **fields: Any) -> Any:
    data = {"name": "his-db", "kind": SecretKind.PASSWORD, "username": "his_app",
            "description": "HIS database", "value": VALUE, "value_text": ""}
    data.update(fields)
    return client.post("/security/secrets/new/", data)


def all_audit_text() -> str:
    return "".join(r.changes_json + r.detail_json + r.object_repr
                   for r in AuditRecord.objects.all())


def test_it_creates_a_secret_encrypted_and_never_shows_it(admin: Any) -> None:
    response = create(admin)
    assert response.status_code == 302 and response["Location"] == "/security/secrets/"
    secret = Secret.objects.get(name="his-db")
    assert secrets.reveal(secret, purpose="test") == VALUE
    # The database column holds no plain text.
    with connection.cursor() as cursor:
        cursor.execute("SELECT ciphertext FROM core_secret WHERE id = %s", [secret.pk])
        raw = bytes(cursor.fetchone()[0])
    assert VALUE.encode() not in raw and b"Pa55word" not in raw
    for path in ("/security/secrets/", f"/security/secrets/{secret.pk}/replace/"):
        page = admin.get(path).content.decode()
        assert VALUE not in page
    listing = admin.get("/security/secrets/").content.decode()
    assert "his-db" in listing and "his_app" in listing and "••••••2024" in listing
    assert VALUE not in all_audit_text()
    rec = AuditRecord.objects.get(action=AuditAction.CREATE, object_type="core.secret")
    assert rec.changes["value"] == [None, "******"]
    assert rec.changes["ciphertext"][1] == "******"


def test_it_replaces_the_value_and_keeps_the_name(admin: Any) -> None:
    create(admin)
    secret = Secret.objects.get(name="his-db")
    response = admin.post(f"/security/secrets/{secret.pk}/replace/", {
        "name": "renamed", "kind": SecretKind.PASSWORD, "username": "his_app",
        "description": "HIS database", "value": "New-Value-of-HIS-9999"})
    assert response.status_code == 302
    secret.refresh_from_db()
    assert secret.name == "his-db"
    assert secrets.reveal(secret, purpose="test") == "New-Value-of-HIS-9999"
    rec = AuditRecord.objects.get(action=AuditAction.UPDATE, object_type="core.secret")
    assert rec.changes["value"] == ["******", "******"]
    assert "New-Value-of-HIS-9999" not in all_audit_text()


def test_it_takes_a_multi_line_ssh_key(admin: Any) -> None:
    key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n-----END OPENSSH" \
          " PRIVATE KEY-----\n"
    create(admin, name="backup-ssh", kind=SecretKind.SSH_KEY, value="", value_text=key)
    assert secrets.reveal(Secret.objects.get(name="backup-ssh"), purpose="test") == key


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"value": ""}, "value", "Enter the value."),
    ({"value_text": "also"}, "value", "not both"),
    ({"name": ""}, "name", "This field is required."),
    ({"kind": "nonsense"}, "kind", "Select a valid choice."),
])
def test_it_names_the_bad_field_and_saves_nothing(
        admin: Any, fields: dict[str, str], field: str, message: str) -> None:
    page = create(admin, **fields).content.decode()
    error = page.split(f'data-testid="error-{field}">')[1].split("</div>")[0]
    assert message in error
    assert not Secret.objects.exists()
    assert VALUE not in page     # the typed value is not sent back


def test_it_refuses_a_second_secret_of_the_same_name(admin: Any) -> None:
    create(admin)
    page = create(admin, value="Other-Value-123456").content.decode()
    assert "already exists" in page
    assert secrets.reveal(Secret.objects.get(name="his-db"), purpose="test") == VALUE


def test_it_deletes_a_secret_after_confirmation(admin: Any) -> None:
    create(admin)
    secret = Secret.objects.get(name="his-db")
    listing = admin.get("/security/secrets/").content.decode()
    delete_form = listing.split(f'action="/security/secrets/{secret.pk}/delete/"')[1]
    assert "data-confirm=" in delete_form.split("</form>")[0]
    assert admin.get(f"/security/secrets/{secret.pk}/delete/").status_code == 405
    assert admin.post(f"/security/secrets/{secret.pk}/delete/").status_code == 302
    assert not Secret.objects.exists()
    assert AuditRecord.objects.filter(action=AuditAction.DELETE,
                                      object_type="core.secret").exists()


@pytest.mark.parametrize("fixture", ["alice", "sysadmin", "auditadmin", "bob"])
def test_only_the_security_administrator_manages_secrets(
        verified_client: Any, request: Any, fixture: str, secadmin: Any) -> None:
    secret = secrets.set_secret("his-db", VALUE, actor=secadmin)
    client = verified_client(request.getfixturevalue(fixture))
    assert client.get("/security/secrets/").status_code == 403
    assert client.get("/security/secrets/new/").status_code == 403
    assert create(client).status_code == 403
    assert client.get(f"/security/secrets/{secret.pk}/replace/").status_code == 403
    assert client.post(f"/security/secrets/{secret.pk}/delete/").status_code == 403
    assert Secret.objects.count() == 1


def test_a_log_line_with_the_value_is_redacted(secadmin: Any) -> None:
    other = "Unique-Secret-Value-77"
    secrets.set_secret("router", other, actor=secadmin)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactFilter())
    logger = logging.getLogger("careops.test.redact")
    logger.addHandler(handler)
    try:
        logger.warning("connecting with %s to the router", other)
        logger.warning("password=hunter2-abc retry")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert other not in text and "hunter2-abc" not in text
    assert text.count("******") == 2


def test_a_wrong_key_makes_the_secret_unreadable(secadmin: Any) -> None:
    secret = secrets.set_secret("his-db", VALUE, actor=secadmin)
    with override_settings(SECRETS_KEYS=[Fernet.generate_key().decode()]):
        secrets.reset_key_cache()
        with pytest.raises(secrets.SecretUnreadable):
            secrets.reveal(secret, purpose="test")
    secrets.reset_key_cache()
    assert secrets.reveal(secret, purpose="test") == VALUE


def test_the_newkey_command_prints_a_usable_key(db: Any) -> None:
    out = io.StringIO()
    call_command("secrets", "newkey", stdout=out)
    key = out.getvalue().strip()
    assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"x")) == b"x"


def test_the_rotate_command_re_encrypts_with_the_first_key(secadmin: Any) -> None:
    secret = secrets.set_secret("his-db", VALUE, actor=secadmin)
    new_key = Fernet.generate_key().decode()
    with override_settings(SECRETS_KEYS=[new_key, KEY]):
        secrets.reset_key_cache()
        out = io.StringIO()
        call_command("secrets", "rotate", stdout=out)
        assert "re-encrypted 1 secret" in out.getvalue()
    with override_settings(SECRETS_KEYS=[new_key]):      # the old key can go now
        secrets.reset_key_cache()
        secret.refresh_from_db()
        assert secrets.reveal(secret, purpose="test") == VALUE
    rec = AuditRecord.objects.filter(action=AuditAction.UPDATE).latest("id")
    assert rec.detail == {"operation": "rotate key", "count": 1}


def test_the_rotate_command_refuses_without_the_old_key(secadmin: Any) -> None:
    secrets.set_secret("his-db", VALUE, actor=secadmin)
    with override_settings(SECRETS_KEYS=[Fernet.generate_key().decode()]):
        secrets.reset_key_cache()
        with pytest.raises(CommandError, match="keep the old key"):
            call_command("secrets", "rotate")


def test_a_secret_revealed_for_reuse_is_audited_once_an_hour_and_again_when_changed(
        secadmin: Any) -> None:
    secret = secrets.set_secret("imap-his", "first-value", actor=secadmin)

    def uses() -> int:
        return AuditRecord.objects.filter(action=AuditAction.SECRET_USE,
                                          object_id=str(secret.pk)).count()

    for _k in range(5):  # a mailbox polled five times
        assert secrets.reveal_for_reuse(secret, purpose="mailbox 1") == "first-value"
    assert uses() == 1
    secret = secrets.set_secret("imap-his", "second-value", actor=secadmin)  # rotated
    assert secrets.reveal_for_reuse(secret, purpose="mailbox 1") == "second-value"
    assert uses() == 2
    assert secrets.reveal_for_reuse(secret, purpose="mailbox 1", reuse_s=0) == "second-value"
    assert uses() == 3  # past its reuse time: revealed and audited again
