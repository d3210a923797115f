from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from careops.cmdb.choices import RelationType
from careops.cmdb.models.base import ConfigItem


class Relation(models.Model):
    """A typed edge: ``source`` runs_on / uses_database / depends_on … ``target``.

    Allowed pairs and the cycle rule are in ``careops.cmdb.relations``; create and
    delete relations only through ``careops.cmdb.actions.relations``.
    """

    source = models.ForeignKey(ConfigItem, verbose_name=_("from"), on_delete=models.CASCADE,
                               related_name="relations_out")
    type = models.CharField(_("relation"), max_length=16, choices=RelationType.choices)
    target = models.ForeignKey(ConfigItem, verbose_name=_("to"), on_delete=models.PROTECT,
                               related_name="relations_in")
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        ordering = ["source_id", "type", "target_id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "type", "target"],
                                    name="cmdb_relation_unique"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")),
                                   name="cmdb_relation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.source.code} {self.type} {self.target.code}"


class Document(models.Model):
    """A file kept with an item: manuals, acceptance records, network diagrams."""

    item = models.ForeignKey(ConfigItem, verbose_name=_("item"), on_delete=models.CASCADE,
                             related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="cmdb/documents/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title
