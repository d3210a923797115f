"""Pages of alert rules: the list, the edit form with its 7-day preview (htmx), enable,
disable and delete. Changes go through careops.monitoring.actions.rules."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from careops.cmdb.forms.fields import mark_invalid, style
from careops.core.forms.errors import apply_errors
from careops.core.roles import Cap
from careops.core.views.decorators import cap_required
from careops.logic.rules import format_value
from careops.monitoring import evaluate
from careops.monitoring.actions import rules as actions
from careops.monitoring.choices import SEVERITY_COLOURS, RuleKind, Severity
from careops.monitoring.forms import RuleForm
from careops.monitoring.models import Rule

PREVIEW_ROWS = 200


@cap_required(Cap.VIEW_OPERATIONS)
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = Rule.objects.select_related("item").order_by("item_kind", "code")
    chosen = {k: request.GET.get(k, "") for k in ("kind", "severity", "item_kind", "enabled")}
    if chosen["kind"] in RuleKind.values:
        rules = rules.filter(kind=chosen["kind"])
    if chosen["severity"] in Severity.values:
        rules = rules.filter(severity=chosen["severity"])
    if chosen["item_kind"]:
        rules = rules.filter(item_kind=chosen["item_kind"])
    if chosen["enabled"] in ("true", "false"):
        rules = rules.filter(enabled=chosen["enabled"] == "true")
    page = Paginator(rules, 100).get_page(request.GET.get("page"))
    rows = [{"rule": r, "colour": SEVERITY_COLOURS.get(r.severity, "secondary")}
            for r in page]
    return render(request, "monitoring/rule_list.html", {
        "rows": rows, "page": page, "chosen": chosen, "kinds": RuleKind.choices,
        "severities": Severity.choices, "may_manage": actions.may_manage(request.user)})


def _values(form: RuleForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


@cap_required(Cap.MANAGE_MONITORING)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(Rule.objects.select_related("item"), pk=pk) if pk else None
    initial = RuleForm.initial_for(rule) if rule is not None else None
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if rule is None:
                saved = actions.create_rule(request.user, request=request, **_values(form))
            else:
                saved = actions.update_rule(request.user, rule, request=request,
                                            **_values(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Rule “%(name)s” is saved.") % {"name": saved.name})
            return redirect("monitoring:rule_list")
    style(form)
    mark_invalid(form)
    status = 400 if request.method == "POST" else 200
    return render(request, "monitoring/rule_form.html", {"form": form, "rule": rule},
                  status=status)


@cap_required(Cap.MANAGE_MONITORING)
@require_POST
def rule_preview(request: HttpRequest) -> HttpResponse:
    """The intervals the rule in the form would have fired on the last 7 days (an htmx
    fragment; errors are shown in it, not as an HTTP error, so htmx swaps them in)."""
    form = RuleForm(request.POST)
    errors: list[str] = []
    intervals: list[evaluate.FiringInterval] = []
    if form.is_valid():
        data = _values(form)
        data["name"] = data.get("name") or "preview"
        data["code"] = "preview"
        try:
            rule = actions.unsaved_rule(data)
            intervals = evaluate.preview(rule, timezone.now())
        except ValidationError as exc:
            errors = [f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v)
                      for k, v in exc.message_dict.items()]
        except Exception as exc:  # the store down, a matching error: shown, not raised
            errors = [_("The preview failed: %(reason)s") % {"reason": str(exc)[:300]}]
    else:
        errors = [f"{form.fields[k].label if k in form.fields else ''}: "
                  f"{' '.join(str(m) for m in v)}" for k, v in form.errors.items()]
    rows = [{"labels": ", ".join(f"{k}={v}" for k, v in sorted(i.labels.items())),
             "start": i.start, "end": i.end,
             "peak": format_value(i.peak_value) if i.peak_value is not None else "—"}
            for i in intervals[:PREVIEW_ROWS]]
    chart = [{"name": row["labels"] or "—", "start": i.start.isoformat(),
              "end": i.end.isoformat() if i.end else None}
             for row, i in zip(rows, intervals, strict=False)]
    return render(request, "monitoring/_rule_preview.html", {
        "errors": errors, "rows": rows, "total": len(intervals), "chart_json": json.dumps(chart),
        "shown": min(len(intervals), PREVIEW_ROWS)})


@cap_required(Cap.MANAGE_MONITORING)
@require_POST
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    actions.set_rule_enabled(request.user, rule, not rule.enabled, request=request)
    return redirect("monitoring:rule_list")


@cap_required(Cap.MANAGE_MONITORING)
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    actions.delete_rule(request.user, rule, request=request)
    messages.success(request, _("Rule “%(name)s” is deleted.") % {"name": rule.name})
    return redirect("monitoring:rule_list")
