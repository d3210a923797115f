from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careops.core.choices import ADMIN_ROLES, Role


class User(AbstractUser):
    """A person who logs in. Each user holds exactly one role (separation of duties).

    ``is_superuser`` and ``is_staff`` are never set: all rights come from the role
    (see ``careops.core.roles``).
    """

    name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    role = models.CharField(
        _("role"), max_length=32, choices=Role.choices, default=Role.DEPARTMENT_USER
    )
    must_change_password = models.BooleanField(_("must change password"), default=False)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    audit_exclude = frozenset({"last_login"})

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.name or self.username

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def requires_two_factor(self) -> bool:
        return self.role in ADMIN_ROLES


class PasswordHistory(models.Model):
    """Hashes of a user's earlier passwords, for the 'not one of the last N' rule."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=256)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"password history of {self.user_id}"
