"""The embedded metric store's tables (docs/monitoring-store.md).

A series is a metric name and its label set, identified by ``series_key``; its raw
samples are (timestamp in ms UTC, value) rows. Raw samples older than
CAREOPS_METRICS_RAW_DAYS are rolled into 5-minute rollups (min, max, sum, count, last),
which are kept CAREOPS_METRICS_ROLLUP_DAYS. ``StoreStatus`` holds one row per backend
with its buffer and loss counters, so the pages can show what was lost.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from careops.cmdb.models import ConfigItem


class Series(models.Model):
    name = models.CharField(_("metric name"), max_length=200, db_index=True)
    labels = models.JSONField(_("labels"), default=dict)
    key = models.CharField(_("series key"), max_length=64, unique=True)
    item = models.ForeignKey(ConfigItem, verbose_name=_("item"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="metric_series")
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("metric series")
        verbose_name_plural = _("metric series")

    def __str__(self) -> str:
        inner = ",".join(f'{k}="{v}"' for k, v in sorted(self.labels.items()))
        return f"{self.name}{{{inner}}}"


class Sample(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="samples",
                               db_index=False)
    ts = models.BigIntegerField(_("time (ms, UTC)"))
    # NULL is NaN (SQLite and MySQL have no NaN); infinite values are not stored.
    value = models.FloatField(_("value"), null=True)

    class Meta:
        verbose_name = _("metric sample")
        verbose_name_plural = _("metric samples")
        indexes = [models.Index(fields=["series", "ts"], name="monitoring_sample_series_ts")]

    def __str__(self) -> str:
        return f"{self.series_id}@{self.ts}={self.value}"


class Rollup(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="rollups",
                               db_index=False)
    resolution_s = models.PositiveIntegerField(_("resolution (seconds)"))
    ts = models.BigIntegerField(_("bucket start (ms, UTC)"), db_index=True)
    min = models.FloatField(_("minimum"), null=True)
    max = models.FloatField(_("maximum"), null=True)
    sum = models.FloatField(_("sum"), null=True)
    count = models.PositiveIntegerField(_("count"))
    last = models.FloatField(_("last value"), null=True)

    class Meta:
        verbose_name = _("metric rollup")
        verbose_name_plural = _("metric rollups")
        constraints = [models.UniqueConstraint(fields=["series", "resolution_s", "ts"],
                                               name="monitoring_rollup_unique_bucket")]

    def __str__(self) -> str:
        return f"{self.series_id}@{self.ts}/{self.resolution_s}s"


class StoreStatus(models.Model):
    backend = models.CharField(_("backend"), max_length=32, unique=True)
    reachable = models.BooleanField(_("reachable"), default=True)
    buffered = models.PositiveBigIntegerField(_("samples buffered"), default=0)
    dropped = models.PositiveBigIntegerField(_("samples dropped"), default=0)
    written = models.PositiveBigIntegerField(_("samples written"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    last_flush_at = models.DateTimeField(_("last flush"), null=True, blank=True)
    rolled_up_at = models.DateTimeField(_("last downsampling"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("metric store status")
        verbose_name_plural = _("metric store status")

    def __str__(self) -> str:
        return self.backend
