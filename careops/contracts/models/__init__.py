"""Contract profiles (contract-as-code, docs/contracts.md) and their immutable versions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from careops.cmdb.models import BusinessSystem, Vendor


class ContractStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class ContractProfile(models.Model):
    """One maintenance contract; what it promises lives in its versions."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    vendor = models.ForeignKey(Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT,
                               related_name="contracts")
    systems = models.ManyToManyField(BusinessSystem, verbose_name=_("covered systems"),
                                     blank=True, related_name="contracts")
    status = models.CharField(_("status"), max_length=16, choices=ContractStatus.choices,
                              default=ContractStatus.ACTIVE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def current_version(self) -> ContractVersion | None:
        """The newest version; from prefetched versions when there are (no query)."""
        cached = getattr(self, "_prefetched_objects_cache", {}).get("versions")
        if cached is not None:
            return max(cached, key=lambda v: v.number, default=None)
        return self.versions.order_by("-number").first()


class ImmutableVersion(Exception):
    pass


class ContractVersion(models.Model):
    """One uploaded YAML text of a contract. Never changed or deleted: a ticket keeps
    the version it started under."""

    profile = models.ForeignKey(ContractProfile, verbose_name=_("contract"),
                                on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    yaml_text = models.TextField(_("YAML text"))
    summary = models.JSONField(_("summary"), default=dict)
    valid_from = models.DateField(_("valid from"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    audit_exclude = frozenset({"yaml_text", "summary"})

    class Meta:
        ordering = ["profile", "-number"]
        verbose_name = _("contract version")
        verbose_name_plural = _("contract versions")
        constraints = [models.UniqueConstraint(fields=["profile", "number"],
                                               name="contract_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.profile.code} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableVersion(f"{self} is immutable; load a new version instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableVersion(f"{self} is immutable and cannot be deleted")


from careops.contracts.models.obligations import (  # noqa: E402
    ObligationOccurrence,
    ObligationStatus,
)

__all__ = ["ContractProfile", "ContractStatus", "ContractVersion", "ImmutableVersion",
           "ObligationOccurrence", "ObligationStatus"]
