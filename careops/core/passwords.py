"""Password policy (GB/T 22239-2019 8.1.4.1 a): complexity, history, expiry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def character_classes(password: str) -> int:
    """How many of the four classes (lower, upper, digit, symbol) occur."""
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


class ComplexityValidator:
    def __init__(self, min_length: int = 8, min_classes: int = 3) -> None:
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        errors = []
        if len(password) < self.min_length:
            errors.append(ValidationError(
                ngettext("The password must have at least %(n)d character.",
                         "The password must have at least %(n)d characters.",
                         self.min_length) % {"n": self.min_length},
                code="password_too_short"))
        if character_classes(password) < self.min_classes:
            errors.append(ValidationError(
                _("The password must mix at least %(n)d of: lower-case letters, upper-case "
                  "letters, digits and symbols.") % {"n": self.min_classes},
                code="password_too_simple"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _("At least %(len)d characters, mixing %(n)d of: lower-case letters, "
                 "upper-case letters, digits and symbols.") % {
            "len": self.min_length, "n": self.min_classes}


class NoUsernameValidator:
    def validate(self, password: str, user: Any = None) -> None:
        username = getattr(user, "username", "") or ""
        if username and username.lower() in password.lower():
            raise ValidationError(_("The password must not contain the user name."),
                                  code="password_contains_username")

    def get_help_text(self) -> str:
        return _("The password must not contain the user name.")


class HistoryValidator:
    def validate(self, password: str, user: Any = None) -> None:
        count = settings.PASSWORD_HISTORY_COUNT
        if user is None or user.pk is None or count == 0:
            return
        earlier = list(user.password_history.values_list("password", flat=True)[:count])
        if user.password and user.password not in earlier:
            earlier = [user.password, *earlier][:count]
        if any(check_password(password, encoded) for encoded in earlier):
            raise ValidationError(
                ngettext("The password must differ from your last password.",
                         "The password must differ from your last %(n)d passwords.",
                         count) % {"n": count},
                code="password_reused")

    def get_help_text(self) -> str:
        return _("It must differ from your last %(n)d passwords.") % {
            "n": settings.PASSWORD_HISTORY_COUNT}

    def password_changed(self, password: str, user: Any = None) -> None:
        """Called by Django after set_password(); keep the new hash in the history."""
        if user is None or user.pk is None:
            return
        from careops.core.models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        keep = max(settings.PASSWORD_HISTORY_COUNT, 1)
        stale = list(user.password_history.values_list("pk", flat=True)[keep:])
        if stale:
            PasswordHistory.objects.filter(pk__in=stale).delete()


def password_expired(user: Any, now: dt.datetime | None = None) -> bool:
    days = settings.PASSWORD_EXPIRY_DAYS
    if days == 0 or user.password_changed_at is None:
        return bool(getattr(user, "must_change_password", False))
    now = now or timezone.now()
    return bool(user.must_change_password) or (
        now - user.password_changed_at > dt.timedelta(days=days))
