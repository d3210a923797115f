"""The SSH host key each host was first seen with (trust on first use)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from careops.cmdb.models.items import Host


class SshHostKey(models.Model):
    """Pinned at the first successful SSH discovery; later connections must present the
    same key, or discovery stops before sending any credential."""

    host = models.OneToOneField(Host, verbose_name=_("host"), on_delete=models.CASCADE,
                                related_name="ssh_host_key")
    algorithm = models.CharField(_("algorithm"), max_length=64)
    public_key = models.TextField(_("public key"))  # one OpenSSH line: "ssh-ed25519 AAAA…"
    fingerprint = models.CharField(_("fingerprint"), max_length=100)
    address = models.CharField(_("address"), max_length=300,
                               help_text=_("Where the key was first seen (address:port)."))
    first_seen = models.DateTimeField(_("first seen"), auto_now_add=True)

    # A public key is no secret: record it in the audit trail as it is.
    audit_plain_fields = frozenset({"public_key"})

    class Meta:
        verbose_name = _("SSH host key")
        verbose_name_plural = _("SSH host keys")

    def __str__(self) -> str:
        return f"{self.host.code} {self.fingerprint}"
