"""The shared base of configuration items (multi-table inheritance).

Every class (business system, host, database …) is a child of ``ConfigItem``, so
relations, impact analysis, history and access work on one table of ids. Codes are
unique across all classes: imports and relations refer to items by code.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from careops.cmdb.choices import ItemKind, ItemStatus
from careops.cmdb.validators import validate_endpoints, validate_tags


class Coded(models.Model):
    """Name, unique code and notes: what every CMDB record has."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=64, unique=True, allow_unicode=False,
                            help_text=_("A short unique identifier, e.g. HIS or SRV-DB-01."))
    notes = models.TextField(_("notes"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ConfigItem(Coded):
    kind = models.CharField(_("class"), max_length=20, choices=ItemKind.choices, editable=False,
                            db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=ItemStatus.choices,
                              default=ItemStatus.ACTIVE, db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="owned_items")
    vendor = models.ForeignKey("cmdb.Vendor", verbose_name=_("vendor"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="items")
    tags = models.JSONField(_("tags"), default=list, blank=True, validators=[validate_tags])
    monitoring_endpoints = models.JSONField(
        _("monitoring endpoints"), default=list, blank=True, validators=[validate_endpoints],
        help_text=_('Exporters to scrape, e.g. [{"job": "node", "target": "10.1.2.3:9100"}].'))

    KIND: str = ""  # set by each child class

    class Meta:
        verbose_name = _("configuration item")
        verbose_name_plural = _("configuration items")
        ordering = ["code"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.kind:
            self.kind = type(self).KIND
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("cmdb:item_detail", args=[self.pk])

    def specific(self) -> ConfigItem:
        """The child-class instance of this item (a Host for a host …)."""
        if type(self).KIND:
            return self
        from careops.cmdb.models import MODEL_BY_KIND

        return MODEL_BY_KIND[self.kind].objects.get(pk=self.pk)
