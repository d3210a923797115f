"""User accounts and roles under the separation of duties (careops.core.roles).

- The system administrator creates accounts with the ordinary roles
  (``ROLES_SYSTEM_ADMIN_MAY_GRANT``), edits and deactivates them and resets their
  passwords. Accounts are never deleted: the audit trail refers to them.
- The security administrator changes roles (a permission change) and looks after
  the accounts with an administrator or auditor role (deactivation, password reset).
- Nobody changes their own role or deactivates their own account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from careops.core import audit
from careops.core.bootstrap import random_password
from careops.core.choices import AuditAction, Role
from careops.core.models import User
from careops.core.roles import ROLES_SYSTEM_ADMIN_MAY_GRANT, Cap, has_cap

PROFILE_FIELDS = ("name", "email", "phone")


@dataclass(frozen=True)
class NewPassword:
    """A generated password, shown once to the person who asked for it."""

    user: User
    password: str


def grantable_roles(actor: Any) -> list[str]:
    """The roles ``actor`` may give when creating an account."""
    if has_cap(actor, Cap.ASSIGN_ROLES):
        return list(Role.values)
    if has_cap(actor, Cap.MANAGE_USERS):
        return [r for r in Role.values if r in ROLES_SYSTEM_ADMIN_MAY_GRANT]
    return []


def is_privileged(user: User) -> bool:
    """Administrator and auditor accounts, looked after by the security administrator."""
    return user.role not in ROLES_SYSTEM_ADMIN_MAY_GRANT


def may_edit(actor: Any, user: User) -> bool:
    return has_cap(actor, Cap.MANAGE_USERS)


def may_look_after(actor: Any, user: User) -> bool:
    """Whether ``actor`` may deactivate ``user`` or reset their password."""
    if actor is not None and actor.pk == user.pk:
        return False
    if is_privileged(user):
        return has_cap(actor, Cap.MANAGE_SECURITY)
    return has_cap(actor, Cap.MANAGE_USERS)


def may_set_role(actor: Any, user: User) -> bool:
    return has_cap(actor, Cap.ASSIGN_ROLES) and (actor is None or actor.pk != user.pk)


def _clean_profile(name: str, email: str, phone: str) -> dict[str, str]:
    values = {"name": (name or "").strip(), "email": (email or "").strip(),
              "phone": (phone or "").strip()}
    errors: dict[str, list[str]] = {}
    if len(values["name"]) > 100:
        errors["name"] = [_("At most 100 characters.")]
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
    if len(values["phone"]) > 40:
        errors["phone"] = [_("At most 40 characters.")]
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def create_user(actor: Any, username: str, name: str, role: str, phone: str = "",
                email: str = "", request: HttpRequest | None = None) -> NewPassword:
    """Create an account with a random initial password that must be changed."""
    if not has_cap(actor, Cap.MANAGE_USERS):
        raise PermissionDenied(_("Only the system administrator may create accounts."))
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose one of the roles.")]})
    if role not in grantable_roles(actor):
        raise PermissionDenied(
            _("The role %(role)s is granted by the security administrator; create the account "
              "with an ordinary role first.") % {"role": Role(role).label})
    username = (username or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        if not username:
            raise ValidationError(_("A user name is required."))
        if len(username) > 150:
            raise ValidationError(_("At most 150 characters."))
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        errors["username"] = exc.messages
    if not errors and User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("A user with this user name already exists.")]
    try:
        profile = _clean_profile(name, email, phone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    password = random_password()
    user = User(username=username, role=role, must_change_password=True, **profile)
    user.set_password(password)
    user.save()
    audit.record(AuditAction.CREATE, actor=actor, request=request, obj=user,
                 changes=audit.diff(None, audit.snapshot(user)))
    return NewPassword(user, password)


@transaction.atomic
def update_user(actor: Any, user: User, *, name: str | None = None, email: str | None = None,
                phone: str | None = None, is_active: bool | None = None,
                request: HttpRequest | None = None) -> User:
    """Change the profile or the active state; ``None`` leaves a field as it is."""
    profile_change = any(v is not None for v in (name, email, phone))
    if profile_change and not may_edit(actor, user):
        raise PermissionDenied(_("Only the system administrator may edit accounts."))
    if is_active is not None and is_active != user.is_active and not may_look_after(actor, user):
        if actor is not None and actor.pk == user.pk:
            raise PermissionDenied(_("You cannot deactivate your own account."))
        raise PermissionDenied(
            _("Administrator and auditor accounts are activated and deactivated by the "
              "security administrator; the other accounts by the system administrator."))
    user = User.objects.select_for_update().get(pk=user.pk)
    before = audit.snapshot(user)
    if profile_change:
        values = _clean_profile(user.name if name is None else name,
                                user.email if email is None else email,
                                user.phone if phone is None else phone)
        for field, value in values.items():
            setattr(user, field, value)
    if is_active is not None:
        user.is_active = is_active
    changes = audit.diff(before, audit.snapshot(user))
    if changes:
        user.save(update_fields=[*PROFILE_FIELDS, "is_active"])
        audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=user,
                     changes=changes)
    return user


@transaction.atomic
def set_role(actor: Any, user: User, role: str, request: HttpRequest | None = None) -> User:
    """Give ``user`` another role: a permission change, audited with before and after."""
    if not has_cap(actor, Cap.ASSIGN_ROLES):
        raise PermissionDenied(_("Only the security administrator may change roles."))
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(_("Nobody may change their own role."))
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose one of the roles.")]})
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.role == role:
        return user
    before = audit.snapshot(user, ["role"])
    user.role = role
    user.save(update_fields=["role"])
    audit.record(AuditAction.PERMISSION_CHANGE, actor=actor, request=request, obj=user,
                 changes=audit.diff(before, audit.snapshot(user, ["role"])))
    return user


@transaction.atomic
def reset_password(actor: Any, user: User,
                   request: HttpRequest | None = None) -> NewPassword:
    """A new random password, shown once; the user must change it at the next login."""
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(_("Change your own password on the password page."))
    if not may_look_after(actor, user):
        raise PermissionDenied(
            _("Passwords of administrator and auditor accounts are reset by the security "
              "administrator; the other accounts by the system administrator."))
    user = User.objects.select_for_update().get(pk=user.pk)
    password = random_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit.record(AuditAction.PASSWORD_CHANGE, actor=actor, request=request, obj=user,
                 detail={"reset": True, "must_change_password": True})
    return NewPassword(user, password)
