"""Checks: what the collectors run against the items of the CMDB (docs/monitoring.md).

A check belongs to one configuration item. Scrape checks are kept in step with the
item's ``monitoring_endpoints`` (``managed``); the others are added by hand or by the
default check sets. The collector claims a due check by moving ``next_run_at`` forward
with one conditional UPDATE, so several collector processes never run it twice.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from careops.cmdb.models import ConfigItem
from careops.monitoring.choices import CheckKind, CheckStatus


class Check(models.Model):
    item = models.ForeignKey(ConfigItem, verbose_name=_("item"), on_delete=models.CASCADE,
                             related_name="checks")
    kind = models.CharField(_("kind"), max_length=16, choices=CheckKind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    target = models.CharField(
        _("target"), max_length=500,
        help_text=_("host:port, address or URL, depending on the kind."))
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    credential = models.ForeignKey(
        "core.Secret", verbose_name=_("credential"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("When empty, the item's own credential is used (SSH, databases)."))
    interval_s = models.PositiveIntegerField(_("interval (seconds)"), default=60)
    timeout_s = models.FloatField(_("timeout (seconds)"), default=10.0)
    zone = models.CharField(
        _("network zone"), max_length=16, blank=True, db_index=True,
        help_text=_("The collector of this network zone runs the check; empty: the item's zone."))
    enabled = models.BooleanField(_("enabled"), default=True)
    managed = models.BooleanField(
        _("managed"), default=False, editable=False,
        help_text=_("Kept in step with the item's monitoring endpoints."))
    next_run_at = models.DateTimeField(_("next run"), null=True, blank=True, db_index=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_status = models.CharField(_("last status"), max_length=16, choices=CheckStatus.choices,
                                   default=CheckStatus.PENDING)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_duration_ms = models.PositiveIntegerField(_("last duration (ms)"), null=True,
                                                   blank=True)
    last_samples = models.PositiveIntegerField(_("samples in the last run"), default=0)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    # What the collector's last run left for the next one (log offsets …).
    state = models.JSONField(_("collector state"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("check")
        verbose_name_plural = _("checks")
        ordering = ["item__code", "kind", "target"]
        constraints = [models.UniqueConstraint(fields=["item", "kind", "target"],
                                               name="monitoring_check_unique_target")]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} {self.target}"
