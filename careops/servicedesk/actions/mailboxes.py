"""Mailboxes of the email intake: create, change, delete (Cap.MANAGE_CHANNELS). Audited.

The password goes straight to the secret store; the audit trail and every page show
only that it is set. Changing where the password goes (server, port, security, user
name) needs the password entered again, so that nobody who may edit a mailbox can
send the stored password to a server of his own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from careops.core import audit
from careops.core import secrets as secret_store
from careops.core.choices import AuditAction, NotificationKind
from careops.core.models.secrets import SecretKind
from careops.core.roles import Cap, has_cap
from careops.servicedesk.models import Kind, Mailbox

FIELDS = ("name", "enabled", "host", "port", "security", "username", "folder", "kind",
          "reply_channel")
# Where the password is sent: changing any of these needs the password again.
DESTINATION = ("host", "port", "security", "username")


def _require(actor: Any) -> None:
    if not has_cap(actor, Cap.MANAGE_CHANNELS):
        raise PermissionDenied


def _check(values: Mapping[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if values.get("kind") not in Kind.values:
        errors["kind"] = [_("Unknown ticket kind.")]
    if values.get("security") not in ("ssl", "starttls", "none"):
        errors["security"] = [_("Choose TLS, STARTTLS or none.")]
    port = values.get("port")
    if not isinstance(port, int) or not 1 <= port <= 65535:
        errors["port"] = [_("A port is a number from 1 to 65535.")]
    channel = values.get("reply_channel")
    if channel is not None and channel.kind != NotificationKind.EMAIL:
        errors["reply_channel"] = [_("Choose an email channel.")]
    for name in ("name", "host", "username", "folder"):
        if not str(values.get(name) or "").strip():
            errors[name] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)


def _store_password(mailbox: Mailbox, password: str, *, actor: Any,
                    request: HttpRequest | None) -> None:
    mailbox.password = secret_store.set_secret(
        f"mailbox:{mailbox.pk}:password", password, kind=SecretKind.PASSWORD,
        username=mailbox.username,
        description=_("Password of the mailbox %(name)s") % {"name": mailbox.name},
        actor=actor, request=request)
    mailbox.save(update_fields=["password"])


def create_mailbox(actor: Any, *, values: Mapping[str, Any], password: str = "",
                   request: HttpRequest | None = None) -> Mailbox:
    """Create a mailbox from ``values`` (the names in :data:`FIELDS`)."""
    _require(actor)
    data = {name: values[name] for name in FIELDS if name in values}
    _check(data)
    try:
        with transaction.atomic():
            mailbox = Mailbox.objects.create(**data)
            if password:
                _store_password(mailbox, password, actor=actor, request=request)
            audit.record(AuditAction.CREATE, actor=actor, request=request, obj=mailbox,
                         changes=audit.diff(None, audit.snapshot(mailbox)),
                         detail={"password_set": bool(password)})
    except IntegrityError:
        raise ValidationError({"name": [_("A mailbox with this name already exists.")]}) \
            from None
    return mailbox


def update_mailbox(actor: Any, mailbox: Mailbox, *, values: Mapping[str, Any],
                   password: str = "", request: HttpRequest | None = None) -> Mailbox:
    """Change ``mailbox``; an empty ``password`` keeps the stored one."""
    _require(actor)
    before = audit.snapshot(mailbox)
    data = {name: values[name] for name in FIELDS if name in values}
    _check({**{name: getattr(mailbox, name) for name in FIELDS}, **data})
    moved = [name for name in DESTINATION if name in data and data[name] != getattr(mailbox,
                                                                                    name)]
    if moved and mailbox.password_id is not None and not password:
        raise ValidationError({"password": [
            _("Enter the password again when the server, port, security or user name "
              "changes.")]})
    if "folder" in data and data["folder"] != mailbox.folder:
        mailbox.last_uid = 0  # another folder: its own UIDs
        mailbox.uid_validity = 0
    for name, value in data.items():
        setattr(mailbox, name, value)
    try:
        with transaction.atomic():
            mailbox.save()
            if password:
                _store_password(mailbox, password, actor=actor, request=request)
            changes = audit.diff(before, audit.snapshot(mailbox))
            if password:
                changes["password"] = [audit.MASK, audit.MASK]
            audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=mailbox,
                         changes=changes, detail={"password_replaced": bool(password)})
    except IntegrityError:
        raise ValidationError({"name": [_("A mailbox with this name already exists.")]}) \
            from None
    return mailbox


def delete_mailbox(actor: Any, mailbox: Mailbox, *, request: HttpRequest | None = None) -> None:
    """Delete ``mailbox``, its record of incoming mail and its stored password (the
    tickets it opened stay)."""
    _require(actor)
    with transaction.atomic():
        audit.record(AuditAction.DELETE, actor=actor, request=request, obj=mailbox,
                     changes=audit.diff(audit.snapshot(mailbox), None),
                     detail={"messages": mailbox.messages.count()})
        secret = mailbox.password
        mailbox.delete()
        if secret is not None:
            secret_store.delete_secret(secret, actor=actor, request=request)
