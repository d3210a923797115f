"""Audit receivers for authentication events (login, logout, failure, lockout)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from careops.core import audit
from careops.core.choices import AuditAction, AuditResult


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(AuditAction.LOGIN, actor=user, request=request, obj=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(AuditAction.LOGOUT, actor=user, request=request, obj=user)


# Sender of ``user_login_failed`` for a wrong second-factor code: django-axes counts it
# toward the lockout; the view has already recorded it as ``otp_failed``.
SECOND_FACTOR_SENDER = "careops.second_factor"


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None,
                  **kwargs: Any) -> None:
    if sender == SECOND_FACTOR_SENDER:
        return
    # ``credentials`` has the password already replaced by Django's cleanser.
    audit.record(AuditAction.LOGIN_FAILED, request=request,
                 username=str(credentials.get("username", ""))[:150],
                 object_type="core.user", object_repr=str(credentials.get("username", "")),
                 result=AuditResult.FAILURE)


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any, username: str | None = None,
                ip_address: str | None = None, **kwargs: Any) -> None:
    audit.record(AuditAction.LOCKOUT, request=request, username=username or "",
                 object_type="core.user", object_repr=username or "",
                 result=AuditResult.DENIED, detail={"ip_address": ip_address})
