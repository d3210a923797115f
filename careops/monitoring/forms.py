"""Forms of monitoring's pages. Validation of rules and windows lives in the actions; the
forms only type the fields."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from careops.cmdb.choices import ItemKind, NetworkZone
from careops.cmdb.forms.fields import style
from careops.cmdb.models import ConfigItem
from careops.core import access
from careops.core.models import Secret, SecretKind
from careops.monitoring.choices import CheckKind, RuleKind, RuleOperator, Severity


def json_params(text: str | None, example: str) -> Any:
    """The parameters typed as JSON ({} when empty); a form error with an example when
    they are not JSON. What the value must hold is the actions' (and collectors') to say."""
    text = (text or "").strip()
    if not text:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        raise forms.ValidationError(_("Parameters must be JSON, such as %(example)s.")
                                    % {"example": example}) from None


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
        return json_params(self.cleaned_data.get("params"), '{"window_s": 600}')

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


# --- checks (the item's metrics page) ---
KIND_EXAMPLES: dict[str, tuple[str, str]] = {
    # kind: (target, params) as an engineer would type them
    "scrape": ("10.1.2.3:9100", '{"path": "/metrics"}'),
    "ping": ("10.1.2.3", '{"count": 3}'),
    "tcp": ("10.1.2.3:1521", '{}'),
    "http": ("https://his.hospital.local/health", '{"keyword": "OK", "expected_status": [200]}'),
    "soap": ("http://10.1.2.40/Service.asmx",
             '{"body": "<soap:Envelope …>", "soap_action": "GetStatus", '
             '"expect": "GetStatusResponse"}'),
    "dns": ("10.1.0.53", '{"name": "his.hospital.local", "type": "A"}'),
    "mllp": ("10.1.2.20:2575", '{"message_type": "QRY^A19"}'),
    "ssh": ("10.1.2.3:22", '{"logs": ["/var/log/messages"], "known_host": "ssh-ed25519 AAAA…"}'),
    "postgres": ("10.1.2.30:5432", '{"database": "postgres"}'),
    "mysql": ("10.1.2.31:3306", '{}'),
}


KIND_HELP: dict[str, Any] = {
    "scrape": _("Any Prometheus /metrics page. Parameters: path, scheme (http/https), "
                "sample_limit, max_bytes, verify_tls, headers. Exporters listed in the "
                "item's monitoring endpoints get their check by themselves."),
    "ping": _("A host name or address. Parameters: count (1–20); tcp_port to connect to a "
              "port instead where ICMP is blocked; tcp_fallback_port used only when this "
              "collector cannot send ICMP."),
    "tcp": _("host:port. Parameters: send (text sent after connecting), expect (text the "
             "answer must contain), encoding."),
    "http": _("A URL. Parameters: method, body, headers, expected_status (list; any 2xx "
              "when empty), keyword (the page must contain it), verify_tls (false for "
              "self-signed certificates), max_bytes. The certificate's expiry is recorded."),
    "soap": _("The endpoint URL. Parameters: body (the envelope, required), soap_action, "
              "soap_version (1.1 or 1.2), expect (a tag such as GetStatusResponse), "
              "expected_status, headers, verify_tls, max_bytes. A SOAP fault fails the "
              "check."),
    "dns": _("The DNS server, ip or ip:port. Parameters: name (required), type (A, AAAA, "
             "CNAME, MX, NS, PTR, SOA, SRV, TXT), expected (values the answer must hold), "
             "protocol (udp/tcp)."),
    "mllp": _("host:port of the MLLP listener. Parameters: message_type (QRY^A19, a query "
              "that changes nothing, by default), message (a whole message instead), "
              "receiving_application, receiving_facility, processing_id, version, "
              "encoding."),
    "ssh": _("host or host:port (22). Needs a credential (here or the item's) and the "
             "host key: known_host (the CMDB pins it at discovery), or "
             "accept_unknown_host_key. Parameters: logs (absolute paths), pattern, "
             "log_max_bytes."),
    "postgres": _("host:port (5432). Parameters: database, sslmode, long_transaction_s "
                  "(300), slow_query_s (60). Use a least-privilege account with "
                  "pg_monitor (docs/monitoring-databases.md)."),
    "mysql": _("host:port (3306). Parameters: database, ssl, long_transaction_s (300), "
               "slow_query_s (60). Use a least-privilege account "
               "(docs/monitoring-databases.md)."),
}


class SecretChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        user = f" · {obj.username}" if obj.username else ""
        return f"{obj.name}{user} ({obj.get_kind_display()})"


class CheckForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CheckKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200, required=False,
                           help_text=_("Shown in alerts; made from the kind and target when "
                                       "empty."))
    target = forms.CharField(label=pgettext_lazy("check", "Target"), max_length=500,
                             help_text=_("host:port, address or URL, depending on the kind."))
    params = forms.CharField(
        label=_("Parameters (JSON)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace",
                                     "spellcheck": "false"}))
    credential = SecretChoice(
        queryset=Secret.objects.none(), required=False, label=_("Credential"),
        empty_label=_("The item's own credential"),
        help_text=_("When empty, SSH and database checks use the item's own credential."))
    interval_s = forms.IntegerField(label=_("Interval (seconds)"), initial=60)
    timeout_s = forms.FloatField(label=_("Timeout (seconds)"), initial=10)
    zone = forms.ChoiceField(
        label=_("Network zone"), required=False,
        choices=[("", _("The item's zone")), *NetworkZone.choices],
        help_text=_("The collector of this zone runs the check."))
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args: Any, managed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        credential = self.fields["credential"]
        assert isinstance(credential, forms.ModelChoiceField)
        credential.queryset = Secret.objects.filter(
            kind__in=[SecretKind.PASSWORD, SecretKind.SSH_KEY]).order_by("name")
        if managed:  # the item's monitoring endpoints decide the rest
            for name in ("kind", "target", "params", "credential"):
                del self.fields[name]
        style(self)
        if "kind" in self.fields:
            self.fields["kind"].widget.attrs["data-check-kind"] = ""

    def clean_params(self) -> Any:
        value = json_params(self.cleaned_data.get("params"), '{"count": 3}')
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Parameters must be a JSON object: {…}."))
        return value

    def clean_zone(self) -> str:
        return str(self.cleaned_data.get("zone") or "")

    @staticmethod
    def initial_for(check: Any) -> dict[str, Any]:
        return {"kind": check.kind, "name": check.name, "target": check.target,
                "params": json.dumps(check.params, ensure_ascii=False) if check.params else "",
                "credential": check.credential_id, "interval_s": check.interval_s,
                "timeout_s": check.timeout_s, "zone": check.zone, "enabled": check.enabled}
