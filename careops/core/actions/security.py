"""Login security actions: password change, unlock, second factor, API token.

Each function changes state and writes its audit record in one transaction; views,
the API and commands call these and nothing else.
"""

from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django.contrib.auth import password_validation, update_session_auth_hash
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from careops.core import audit, twofactor
from careops.core.choices import AuditAction
from careops.core.passwords import password_expired
from careops.core.roles import Cap, has_cap

# --- password -----------------------------------------------------------------


def change_password(user: Any, old: str, new: str, request: HttpRequest | None = None) -> None:
    """Replace ``user``'s password after checking the old one and the password policy.

    Raises ``ValidationError`` with ``{"old_password": [...], "new_password": [...]}``.
    Clears ``must_change_password`` and keeps the current session signed in.
    """
    errors: dict[str, list[str]] = {}
    if not user.check_password(old or ""):
        errors["old_password"] = [_("The current password is not correct.")]
    if not new:
        errors["new_password"] = [_("Enter the new password.")]
    elif new == old:
        errors["new_password"] = [_("The new password must differ from the current one.")]
    else:
        try:
            password_validation.validate_password(new, user)
        except ValidationError as exc:
            errors["new_password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        required = password_expired(user)
        user.set_password(new)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        # Both values are secret: the record says that the password changed, never to what.
        audit.record(AuditAction.PASSWORD_CHANGE, actor=user, request=request, obj=user,
                     changes={"password": [audit.MASK, audit.MASK]},
                     detail={"required": required})
    if request is not None:
        update_session_auth_hash(request, user)


# --- lockouts -------------------------------------------------------------------


def unlock(actor: Any, username: str | None = None, ip: str | None = None,
           request: HttpRequest | None = None) -> int:
    """Lift the lockout of an account and/or a source address. Returns attempts removed.

    Account and address are locked separately, so each is reset on its own.
    """
    if not has_cap(actor, Cap.MANAGE_SECURITY):
        raise PermissionDenied
    username = (username or "").strip() or None
    ip = (ip or "").strip() or None
    if username is None and ip is None:
        raise ValidationError({"username": [_("Name an account or an address to unlock.")]})
    with transaction.atomic():
        removed = 0
        if username is not None:
            removed += axes_reset(username=username)
        if ip is not None:
            removed += axes_reset(ip=ip)
        audit.record(AuditAction.UNLOCK, actor=actor, request=request,
                     object_type="core.user", object_repr=username or ip or "",
                     detail={"username": username, "ip_address": ip,
                             "attempts_removed": removed})
    return removed


# --- second factor ------------------------------------------------------------------


def start_two_factor(user: Any) -> TOTPDevice:
    """The unconfirmed authenticator ``user`` is enrolling (created on first call).

    Not audited: an unconfirmed device cannot be used to log in. Confirming it is.
    """
    device = twofactor.totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=twofactor.TOTP_NAME, confirmed=False)
    return device


def _new_recovery_codes(user: Any) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=twofactor.RECOVERY_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [twofactor.new_recovery_code() for _ in range(twofactor.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return [twofactor.format_recovery_code(c) for c in codes]


def confirm_two_factor(user: Any, device: TOTPDevice, code: str,
                       request: HttpRequest | None = None) -> list[str]:
    """Confirm the enrolling authenticator with a code from the app.

    Returns the new recovery codes (to show once). Any earlier authenticator of the
    user is removed. Raises ``ValidationError`` on ``code`` if the code is wrong.
    """
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    code = twofactor.normalize_code(code)
    # Verified outside the transaction below so that a wrong code's throttling sticks.
    if not (twofactor.is_totp_code(code) and device.verify_token(code)):
        raise ValidationError({"code": [_(
            "The code is not correct. Check the time on your phone and enter the "
            "current code.")]})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit.record(AuditAction.TWO_FACTOR, actor=user, request=request, obj=user,
                     detail={"operation": "enable",
                             "recovery_codes": twofactor.RECOVERY_CODE_COUNT})
    return codes


def regenerate_recovery_codes(user: Any, request: HttpRequest | None = None) -> list[str]:
    """New recovery codes for ``user``; the old ones stop working."""
    if not twofactor.has_two_factor(user):
        raise ValidationError({"_": [_("Turn on two-factor login first.")]})
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record(AuditAction.TWO_FACTOR, actor=user, request=request, obj=user,
                     detail={"operation": "regenerate recovery codes",
                             "recovery_codes": twofactor.RECOVERY_CODE_COUNT})
    return codes


def _remove_devices(user: Any) -> int:
    count: int = TOTPDevice.objects.filter(user=user).delete()[0]
    count += StaticDevice.objects.filter(user=user).delete()[0]
    return count


def disable_two_factor(user: Any, request: HttpRequest | None = None) -> None:
    """Turn off ``user``'s own second factor; refused for roles that require it."""
    if user.requires_two_factor:
        raise PermissionDenied(_("Your role requires two-factor login."))
    with transaction.atomic():
        _remove_devices(user)
        audit.record(AuditAction.TWO_FACTOR, actor=user, request=request, obj=user,
                     detail={"operation": "disable"})


def reset_two_factor(actor: Any, user: Any, request: HttpRequest | None = None) -> None:
    """The security administrator removes another user's authenticator and codes.

    The user then logs in with the password alone and, if the role requires it, must
    enrol again at once.
    """
    if not has_cap(actor, Cap.MANAGE_SECURITY) or actor.pk == user.pk:
        raise PermissionDenied
    with transaction.atomic():
        had = _remove_devices(user)
        audit.record(AuditAction.TWO_FACTOR, actor=actor, request=request, obj=user,
                     detail={"operation": "reset", "devices_removed": had})


# --- API token ----------------------------------------------------------------------


def create_api_token(user: Any, request: HttpRequest | None = None) -> str:
    """A new API token for ``user`` (replacing any earlier one). Returns the key once."""
    with transaction.atomic():
        replaced = Token.objects.filter(user=user).delete()[0] > 0
        token = Token.objects.create(user=user)
        audit.record(AuditAction.CREATE, actor=user, request=request,
                     object_type="authtoken.token", object_id=user.pk,
                     object_repr=str(user.username),
                     detail={"operation": "create API token", "replaced": replaced})
    return str(token.key)


def revoke_api_token(user: Any, request: HttpRequest | None = None) -> bool:
    """Delete ``user``'s API token. Returns whether there was one."""
    with transaction.atomic():
        removed = Token.objects.filter(user=user).delete()[0] > 0
        if removed:
            audit.record(AuditAction.DELETE, actor=user, request=request,
                         object_type="authtoken.token", object_id=user.pk,
                         object_repr=str(user.username),
                         detail={"operation": "revoke API token"})
    return removed
