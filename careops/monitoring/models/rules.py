"""Alert rules and the state of their series between evaluations (docs/monitoring-rules.md).

A rule is a PromQL expression (the subset of careops.logic.promql) with a kind that says
how its series turn into alerts: a threshold held for ``for_s``, no data, a change over a
window, a forecast crossing, or an anomaly against the weekly baseline. Rules are changed
only through careops.monitoring.actions.rules, which validates and audits.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from careops.cmdb.choices import ItemKind
from careops.cmdb.models import ConfigItem
from careops.monitoring.choices import RuleKind, RuleOperator, Severity


class Rule(models.Model):
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=100, unique=True,
                            help_text=_("The alert's name in alerts and tickets."))
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices,
                            default=RuleKind.THRESHOLD)
    expr = models.TextField(_("expression"), help_text=_("PromQL (the supported subset)."))
    operator = models.CharField(_("operator"), max_length=2, choices=RuleOperator.choices,
                                default=RuleOperator.GT)
    threshold = models.FloatField(_("threshold"), default=0.0)
    for_s = models.PositiveIntegerField(
        _("for (seconds)"), default=0,
        help_text=_("How long the condition must hold before the alert fires."))
    interval_s = models.PositiveIntegerField(_("evaluation interval (seconds)"), default=60)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices,
                                default=Severity.WARNING)
    item_kind = models.CharField(_("item class"), max_length=20, choices=ItemKind.choices,
                                 blank=True,
                                 help_text=_("Only series of items of this class; empty: all."))
    item = models.ForeignKey(ConfigItem, verbose_name=_("item"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="alert_rules",
                             help_text=_("Only the series of this one item."))
    summary = models.CharField(
        _("summary"), max_length=500, blank=True,
        help_text=_("Shown on the alert: {value}, {duration}, {item} and {labels[name]} "
                    "are filled in."))
    enabled = models.BooleanField(_("enabled"), default=True)
    is_default = models.BooleanField(_("shipped default"), default=False, editable=False)
    shipped_hash = models.CharField(
        _("shipped definition hash"), max_length=64, blank=True, editable=False,
        help_text=_("Hash of the shipped definition this rule was last loaded from."))
    last_eval_at = models.DateTimeField(_("last evaluation"), null=True, blank=True,
                                        editable=False)
    last_error = models.CharField(_("last error"), max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    audit_exclude = frozenset({"last_eval_at", "last_error", "created_at", "updated_at"})

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name or self.code


class RuleState(models.Model):
    """One series of a rule that is pending or firing."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="states")
    fingerprint = models.CharField(max_length=64)
    labels = models.JSONField(default=dict)
    pending_since = models.DateTimeField()
    firing_since = models.DateTimeField(null=True, blank=True)
    last_value = models.FloatField(null=True, blank=True)
    last_eval = models.DateTimeField()

    class Meta:
        verbose_name = _("rule state")
        verbose_name_plural = _("rule states")
        constraints = [models.UniqueConstraint(fields=["rule", "fingerprint"],
                                               name="monitoring_rulestate_unique")]

    def __str__(self) -> str:
        return f"{self.rule_id}:{self.fingerprint[:12]}"
