"""The secret store: credentials encrypted at rest with a key kept outside the database.

The key comes from CAREOPS_SECRETS_KEY (or CAREOPS_SECRETS_KEY_FILE); several keys,
comma-separated, rotate: the first encrypts, all decrypt (``careops secrets rotate``
re-encrypts everything with the first). Without it, a key is generated once into
``var/secrets.key`` (mode 0600). Losing the key loses the secrets: back it up apart
from the database.

Plain values leave this module only through :func:`reveal`, which registers them
with the log redactor so that no log line can carry them.
"""

from __future__ import annotations

import threading
import time
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from careops.conf import ConfigError, read_or_create_secret
from careops.core import audit, logredact
from careops.core.choices import AuditAction
from careops.core.models.secrets import Secret, SecretKind


class SecretUnreadable(Exception):
    """The ciphertext cannot be decrypted with the configured keys."""


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys = list(settings.SECRETS_KEYS)
    if not keys:
        path = settings.SECRETS_KEY_PATH
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        keys = [read_or_create_secret(path, 0) if path.exists() else _new_key_file(path)]
    try:
        return MultiFernet([Fernet(k.encode("ascii")) for k in keys])
    except (ValueError, UnicodeEncodeError):
        raise ConfigError("CAREOPS_SECRETS_KEY",
                          "each key must be 32 url-safe base64-encoded bytes "
                          "(make one with: careops secrets newkey)") from None


def _new_key_file(path: Any) -> str:
    import os

    key = Fernet.generate_key().decode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def reset_key_cache() -> None:
    _fernet.cache_clear()


def _hint(value: str) -> str:
    # Short values reveal nothing; long ones show their last four characters.
    return value[-4:] if len(value) >= 12 else ""


def encrypt(value: str) -> bytes:
    return _fernet().encrypt(value.encode("utf-8"))


def decrypt(token: bytes) -> str:
    try:
        return _fernet().decrypt(bytes(token)).decode("utf-8")
    except InvalidToken:
        raise SecretUnreadable("the secret cannot be decrypted with the configured key") from None


def set_secret(
    name: str,
    value: str,
    *,
    kind: str = SecretKind.PASSWORD,
    username: str = "",
    description: str = "",
    actor: Any = None,
    request: Any = None,
) -> Secret:
    """Create the secret ``name`` or replace its value. Audited, value never recorded."""
    if not value:
        raise ValueError("a secret needs a value")
    with transaction.atomic():
        secret = Secret.objects.select_for_update().filter(name=name).first()
        created = secret is None
        before = None if secret is None else audit.snapshot(secret)
        if secret is None:
            secret = Secret(name=name, created_by=actor if getattr(actor, "pk", None) else None)
        secret.kind = kind
        secret.username = username
        secret.description = description
        secret.ciphertext = encrypt(value)
        secret.hint = _hint(value)
        secret.rotated_at = timezone.now()
        secret.save()
        after = audit.snapshot(secret)
        changes = audit.diff(before, after)
        changes["value"] = [None if created else audit.MASK, audit.MASK]
        audit.record(AuditAction.CREATE if created else AuditAction.UPDATE, actor=actor,
                     request=request, obj=secret, changes=changes)
    logredact.remember(value)
    return secret


def reveal(secret: Secret, *, purpose: str, actor: Any = None) -> str:
    """The plain value, for code that must use it (an SSH login, a signed webhook).

    Never for display. Each use is audited with its purpose.
    """
    value = decrypt(bytes(secret.ciphertext))
    logredact.remember(value)
    audit.record(AuditAction.SECRET_USE, actor=actor, obj=secret, detail={"purpose": purpose})
    return value


# Values revealed for a machine's repeated use (a collector, a mailbox poll), per process:
# (secret id, rotated_at, purpose) -> (monotonic time revealed, value).
_REVEALED: dict[tuple[int, Any, str], tuple[float, str]] = {}
_REVEALED_LOCK = threading.Lock()
REUSE_S = 3600.0


def reveal_for_reuse(secret: Secret, *, purpose: str, reuse_s: float = REUSE_S) -> str:
    """:func:`reveal` for a job that uses the same secret every minute: the value is kept
    in this process for ``reuse_s`` and audited once per reveal, not once per use (a
    mailbox polled every minute would otherwise write 1,440 records a day). A new value
    (``rotated_at`` moves) is revealed, and audited, at once."""
    key = (secret.pk, secret.rotated_at, purpose)
    now = time.monotonic()
    with _REVEALED_LOCK:
        held = _REVEALED.get(key)
        if held is not None and now - held[0] < reuse_s:
            return held[1]
    value = reveal(secret, purpose=purpose)
    with _REVEALED_LOCK:
        _REVEALED[key] = (now, value)
    return value


def forget_revealed() -> None:
    """Drop the values :func:`reveal_for_reuse` keeps (tests; after a key rotation)."""
    with _REVEALED_LOCK:
        _REVEALED.clear()


def delete_secret(secret: Secret, *, actor: Any = None, request: Any = None) -> None:
    with transaction.atomic():
        audit.record(AuditAction.DELETE, actor=actor, request=request, obj=secret,
                     changes=audit.diff(audit.snapshot(secret), None))
        secret.delete()


def rotate_all() -> int:
    """Re-encrypt every secret with the first configured key. Returns the count."""
    fernet = _fernet()
    count = 0
    with transaction.atomic():
        for secret in Secret.objects.select_for_update():
            try:
                secret.ciphertext = fernet.rotate(bytes(secret.ciphertext))
            except InvalidToken:
                raise SecretUnreadable(
                    f"the secret {secret.name!r} cannot be decrypted with the configured keys"
                ) from None
            secret.save(update_fields=["ciphertext"])
            count += 1
        audit.record(AuditAction.UPDATE, object_type="core.secret", object_repr="*",
                     username="system", detail={"operation": "rotate key", "count": count})
    return count
