"""Forms of monitoring's pages. Validation of rules and windows lives in the actions; the
forms only type the fields."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from careops.cmdb.choices import ItemKind
from careops.cmdb.models import ConfigItem
from careops.core import access
from careops.monitoring.choices import RuleKind, RuleOperator, Severity


class ItemChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.name}"


class MaintenanceWindowForm(forms.Form):
    items = ItemChoices(
        queryset=ConfigItem.objects.none(), label=pgettext_lazy("configuration items", "Items"),
        help_text=_("A window on a host also covers the databases, services and systems "
                    "that run on it."))
    starts_at = forms.DateTimeField(label=_("Starts"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Ends"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}))
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["items"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = access.scope(user, ConfigItem.objects.order_by("code"))


# --- alert rules (part "rules") ---
class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.SlugField(label=pgettext_lazy("rule", "Code"), max_length=100, required=False,
                           help_text=_("The alert's name; made from the name when empty."))
    kind = forms.ChoiceField(label=_("Kind"), choices=RuleKind.choices)
    expr = forms.CharField(label=_("Expression (PromQL)"),
                           widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace",
                                                        "spellcheck": "false"}))
    operator = forms.ChoiceField(label=_("Operator"), choices=RuleOperator.choices)
    threshold = forms.FloatField(label=_("Threshold"), initial=0)
    for_s = forms.IntegerField(label=_("For (seconds)"), min_value=0, initial=0,
                               help_text=_("How long the condition must hold before the "
                                           "alert fires."))
    interval_s = forms.IntegerField(label=_("Evaluation interval (seconds)"), min_value=10,
                                    initial=60)
    params = forms.CharField(
        label=_("Parameters (JSON)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "font-monospace"}),
        help_text=_('Rate and no data: {"window_s": 600}. Forecast: {"horizon_s": 604800, '
                    '"lookback_s": 259200, "min_confidence": 0.6}. Anomaly: '
                    '{"sensitivity": 4, "min_weeks": 2}.'))
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices,
                                 initial=Severity.WARNING)
    item_kind = forms.ChoiceField(label=_("Item class"), required=False,
                                  choices=[("", _("All classes")), *ItemKind.choices])
    item = forms.CharField(label=_("Item code"), required=False, max_length=64,
                           help_text=_("Only the series of this one item."))
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=500,
        help_text=_("{value}, {duration}, {item} and {labels[name]} are filled in."))
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def clean_params(self) -> Any:
        text = (self.cleaned_data.get("params") or "").strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("Parameters must be JSON, such as "
                                          '{"window_s": 600}.')) from None
        return value

    def clean_item(self) -> ConfigItem | None:
        code = (self.cleaned_data.get("item") or "").strip()
        if not code:
            return None
        item = ConfigItem.objects.filter(code=code).first()
        if item is None:
            raise forms.ValidationError(_("No item with this code."))
        return item

    @staticmethod
    def initial_for(rule: Any) -> dict[str, Any]:
        return {"name": rule.name, "code": rule.code, "kind": rule.kind, "expr": rule.expr,
                "operator": rule.operator, "threshold": rule.threshold, "for_s": rule.for_s,
                "interval_s": rule.interval_s,
                "params": json.dumps(rule.params, ensure_ascii=False) if rule.params else "",
                "severity": rule.severity, "item_kind": rule.item_kind,
                "item": rule.item.code if rule.item_id else "", "summary": rule.summary,
                "enabled": rule.enabled}
