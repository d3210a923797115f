"""The obligation tracker: every occurrence of a contract's recurring obligations
(careops.logic.obligations), who does it, when it is due, and the evidence that closed it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class ObligationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    WAIVED = "waived", _("Waived")


class ObligationOccurrence(models.Model):
    """One due instance of an obligation (the March remote inspection, Q2's restore
    drill …). Overdue is not stored: it is ``open`` past ``due_at`` (or past
    ``report_due_at`` when the obligation has a report)."""

    profile = models.ForeignKey("contracts.ContractProfile", verbose_name=_("contract"),
                                on_delete=models.CASCADE, related_name="occurrences")
    version = models.ForeignKey("contracts.ContractVersion", verbose_name=_("contract version"),
                                on_delete=models.PROTECT, related_name="occurrences")
    code = models.CharField(_("obligation"), max_length=64)
    kind = models.CharField(_("kind"), max_length=32)
    title = models.CharField(_("title"), max_length=200)
    sequence = models.PositiveIntegerField(_("occurrence"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    report_due_at = models.DateTimeField(_("report due"), null=True, blank=True)
    owner = models.CharField(_("party responsible"), max_length=32)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="obligations")
    status = models.CharField(_("status"), max_length=8, choices=ObligationStatus.choices,
                              default=ObligationStatus.OPEN)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"),
                                null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    evidence_type = models.ForeignKey(ContentType, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    evidence_id = models.PositiveBigIntegerField(null=True, blank=True)
    evidence = GenericForeignKey("evidence_type", "evidence_id")
    evidence_file = models.FileField(_("evidence file"), upload_to="obligations/%Y/%m/",
                                     blank=True)
    note = models.TextField(_("note"), blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_at", "profile_id", "code"]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        constraints = [models.UniqueConstraint(fields=["profile", "code", "sequence"],
                                               name="obligation_occurrence_once")]
        indexes = [models.Index(fields=["status", "due_at"], name="obligation_status_due")]

    def __str__(self) -> str:
        return f"{self.profile_id} {self.code} #{self.sequence}"
