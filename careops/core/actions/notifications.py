"""Notification channels: create, change, delete, send a test. Each call is audited.

Secret values (SMTP password, bot webhook address, signing secrets) go straight to
the secret store; the audit trail and every page show only that they are set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from careops.core import audit, channel_fields
from careops.core import secrets as secret_store
from careops.core.choices import AuditAction, NotificationKind, NotificationSeverity
from careops.core.models.notifications import Channel, Notification
from careops.core.models.secrets import SecretKind
from careops.core.notify import queue
from careops.core.roles import Cap, has_cap

TEST_EVENT = "channel.test"


def _require(actor: Any) -> None:
    if not has_cap(actor, Cap.MANAGE_CHANNELS):
        raise PermissionDenied


def _clean_name(name: Any, channel: Channel | None) -> tuple[str, list[str]]:
    value = name.strip() if isinstance(name, str) else ""
    if not value:
        return value, [_("This field is required.")]
    if len(value) > 100:
        return value, [_("At most 100 characters.")]
    others = Channel.objects.filter(name=value)
    if channel is not None:
        others = others.exclude(pk=channel.pk)
    if others.exists():
        return value, [_("A channel with this name already exists.")]
    return value, []


def _secrets_set(channel: Channel | None) -> frozenset[str]:
    if channel is None:
        return frozenset()
    return frozenset(
        f.name for f in channel_fields.secret_fields(channel.kind)
        if getattr(channel, f"{f.slot}_id") is not None)


def _store_secrets(channel: Channel, new_secrets: Mapping[str, str], *, actor: Any,
                   request: HttpRequest | None) -> list[str]:
    changed = []
    for f in channel_fields.secret_fields(channel.kind):
        if f.name not in new_secrets:
            continue
        kind = SecretKind.PASSWORD if f.name == "password" else (
            SecretKind.WEBHOOK_SECRET if f.slot == "signing_secret" else SecretKind.TOKEN)
        secret = secret_store.set_secret(
            f"channel:{channel.pk}:{f.slot}", new_secrets[f.name], kind=kind,
            username=str(channel.config.get("username", "")),
            description=_("%(field)s of notification channel %(name)s")
            % {"field": f.label, "name": channel.name},
            actor=actor, request=request)
        setattr(channel, f.slot, secret)
        changed.append(f.name)
    return changed


def create_channel(
    actor: Any,
    *,
    name: str,
    kind: str,
    enabled: bool = True,
    values: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Channel:
    """Create a channel. ``values`` holds its settings and secrets by field name."""
    _require(actor)
    errors: dict[str, list[str]] = {}
    clean_name, name_errors = _clean_name(name, None)
    if name_errors:
        errors["name"] = name_errors
    if kind not in NotificationKind.values:
        errors["kind"] = [_("Choose one of: %(choices)s")
                          % {"choices": ", ".join(NotificationKind.values)}]
        raise ValidationError(errors)
    config, new_secrets, field_errors = channel_fields.clean(kind, values or {})
    errors.update(field_errors)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            channel = Channel.objects.create(
                name=clean_name, kind=kind, enabled=bool(enabled), config=config,
                created_by=actor if getattr(actor, "pk", None) else None)
            secrets_changed = _store_secrets(channel, new_secrets, actor=actor,
                                             request=request)
            channel.save(update_fields=["secret", "signing_secret"])
            changes = audit.diff(None, audit.snapshot(channel))
            audit.record(AuditAction.CREATE, actor=actor, request=request, obj=channel,
                         changes=changes, detail={"secrets_set": secrets_changed})
    except IntegrityError:
        raise ValidationError({"name": [_("A channel with this name already exists.")]}) \
            from None
    return channel


def update_channel(
    actor: Any,
    channel: Channel,
    *,
    name: str | None = None,
    enabled: bool | None = None,
    kind: str | None = None,
    values: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Channel:
    """Change a channel. Settings missing from ``values`` keep their value; a blank or
    missing secret keeps the stored one. The kind cannot change."""
    _require(actor)
    errors: dict[str, list[str]] = {}
    clean_name = channel.name
    if name is not None:
        clean_name, name_errors = _clean_name(name, channel)
        if name_errors:
            errors["name"] = name_errors
    if kind is not None and kind != channel.kind:
        errors["kind"] = [_("The kind of a channel cannot change; create a new channel.")]
    config, new_secrets, field_errors = channel_fields.clean(
        channel.kind, values or {}, current=channel.config, secrets_set=_secrets_set(channel))
    errors.update(field_errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        channel = Channel.objects.select_for_update().get(pk=channel.pk)
        before = audit.snapshot(channel)
        channel.name = clean_name
        if enabled is not None:
            channel.enabled = bool(enabled)
        channel.config = config
        secrets_changed = _store_secrets(channel, new_secrets, actor=actor, request=request)
        channel.save()
        changes = audit.diff(before, audit.snapshot(channel))
        for field_name in secrets_changed:  # the value changed, the reference may not have
            changes[field_name] = [audit.MASK, audit.MASK]
        audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=channel,
                     changes=changes)
    return channel


def delete_channel(actor: Any, channel: Channel, *, request: HttpRequest | None = None) -> None:
    """Delete a channel, its delivery log and its stored secrets."""
    _require(actor)
    with transaction.atomic():
        channel = Channel.objects.select_for_update().get(pk=channel.pk)
        stored = [s for s in (channel.secret, channel.signing_secret) if s is not None]
        audit.record(AuditAction.DELETE, actor=actor, request=request, obj=channel,
                     changes=audit.diff(audit.snapshot(channel), None),
                     detail={"notifications": channel.notifications.count()})
        channel.delete()
        for secret in stored:
            secret_store.delete_secret(secret, actor=actor, request=request)


def send_test(actor: Any, channel: Channel, *, request: HttpRequest | None = None
              ) -> Notification:
    """Queue a test message on ``channel`` (even a disabled one). Returns the notification;
    it is delivered after this call's transaction commits."""
    _require(actor)
    who = str(actor) if actor is not None else "CareOps"
    with transaction.atomic():
        notification = queue(
            channel, event=TEST_EVENT,
            title=_("Test notification from CareOps"),
            text=_("%(user)s sent this test message to the channel \"%(channel)s\". If you "
                   "can read it, the channel works.") % {"user": who, "channel": channel.name},
            severity=NotificationSeverity.INFO,
            link=reverse("core:channel_detail", args=[channel.pk]))
        audit.record(AuditAction.NOTIFY, actor=actor, request=request, obj=channel,
                     detail={"operation": "send test", "notification": notification.pk})
    return notification
