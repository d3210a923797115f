"""Webhook receivers (an Alertmanager, a Zabbix server): each has its own bearer token,
shown once when made; only its SHA-256 is stored (docs/monitoring-alerts.md)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from careops.core import audit
from careops.core.choices import AuditAction
from careops.core.roles import Cap, has_cap
from careops.monitoring.models import AlertReceiver, ReceiverKind

__all__ = ["authenticate", "create_receiver", "rotate_token"]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> str:
    return "cor_" + secrets.token_urlsafe(32)


def _require(actor: Any) -> None:
    if actor is not None and not has_cap(actor, Cap.MANAGE_MONITORING):
        raise PermissionDenied(_("You may not manage alert receivers."))


def create_receiver(actor: Any, kind: str, name: str,
                    request: HttpRequest | None = None) -> tuple[AlertReceiver, str]:
    """A new receiver and its token (returned once, never stored). ``actor`` None: the
    command line (``careops alert_receiver``)."""
    _require(actor)
    if kind not in ReceiverKind.values:
        raise ValidationError({"kind": [_("Unknown receiver kind.")]})
    if not name.strip():
        raise ValidationError({"name": [_("A receiver needs a name.")]})
    if AlertReceiver.objects.filter(name=name.strip()).exists():
        raise ValidationError({"name": [_("A receiver with this name exists.")]})
    token = _new_token()
    with transaction.atomic():
        receiver = AlertReceiver.objects.create(kind=kind, name=name.strip(),
                                                token_hash=_hash(token), created_by=actor)
        audit.record(AuditAction.CREATE, actor=actor, request=request, obj=receiver,
                     changes=audit.diff(None, audit.snapshot(receiver)))
    return receiver, token


def rotate_token(actor: Any, receiver: AlertReceiver,
                 request: HttpRequest | None = None) -> str:
    """A new token for ``receiver``; the old one stops working at once."""
    _require(actor)
    token = _new_token()
    with transaction.atomic():
        AlertReceiver.objects.filter(pk=receiver.pk).update(token_hash=_hash(token))
        audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=receiver,
                     detail={"token": "rotated"})
    return token


def authenticate(kind: str, authorization: str) -> AlertReceiver | None:
    """The enabled receiver of ``kind`` whose token the ``Authorization: Bearer …``
    header carries, or None."""
    scheme, _sep, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    receiver = AlertReceiver.objects.filter(token_hash=_hash(token.strip()), kind=kind,
                                            enabled=True).first()
    if receiver is not None:
        AlertReceiver.objects.filter(pk=receiver.pk).update(last_used_at=timezone.now())
    return receiver
