from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SecretKind(models.TextChoices):
    PASSWORD = "password", _("Password")
    SSH_KEY = "ssh_key", _("SSH private key")
    TOKEN = "token", _("API token")
    WEBHOOK_SECRET = "webhook_secret", _("Webhook secret")
    OTHER = "other", _("Other")


class Secret(models.Model):
    """A credential encrypted at rest (Fernet, key outside the database).

    Only ``careops.core.secrets`` reads or writes ``ciphertext``. ``hint`` is what
    people see: the last characters of the value, never the value.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SecretKind.choices,
                            default=SecretKind.PASSWORD)
    username = models.CharField(_("user name"), max_length=100, blank=True,
                                help_text=_("The account this credential belongs to, if any."))
    description = models.CharField(_("description"), max_length=200, blank=True)
    ciphertext = models.BinaryField(editable=False)
    hint = models.CharField(_("hint"), max_length=16, editable=False, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    rotated_at = models.DateTimeField(_("last changed"), auto_now_add=True)

    audit_secret_fields = frozenset({"ciphertext"})

    class Meta:
        verbose_name = _("secret")
        verbose_name_plural = _("secrets")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked(self) -> str:
        return f"••••••{self.hint}" if self.hint else "••••••"
