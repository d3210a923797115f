"""Alert rules: create, change, enable/disable, delete, and load the shipped defaults.

Only users with ``Cap.MANAGE_MONITORING`` (hospital admin, IT engineer) change rules. Every
change is validated as a whole (the expression parsed, the kind's parameters checked and
named) before anything is written, and audited.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from careops.cmdb.choices import ItemKind
from careops.cmdb.models import ConfigItem
from careops.core import audit
from careops.core.choices import AuditAction
from careops.core.roles import Cap, has_cap
from careops.logic import promql
from careops.monitoring.choices import RuleKind, RuleOperator, Severity
from careops.monitoring.models import Rule

FIELDS = ("name", "code", "kind", "expr", "operator", "threshold", "for_s", "interval_s",
          "params", "severity", "item_kind", "item", "summary", "enabled")
MAX_FOR_S = 7 * 86_400
MIN_INTERVAL_S, MAX_INTERVAL_S = 10, 86_400
DEFAULTS_FILE = Path(__file__).resolve().parent.parent / "rulesets" / "defaults.yaml"


def may_manage(actor: Any) -> bool:
    return has_cap(actor, Cap.MANAGE_MONITORING)


def _require(actor: Any) -> None:
    if not may_manage(actor):
        raise PermissionDenied(_("You may not manage alert rules."))


# --- validation -------------------------------------------------------------------------

def _int(errors: dict[str, list[str]], key: str, value: Any, low: int, high: int,
         label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        value = None
    try:
        number = int(value) if value is not None and float(value) == int(float(value)) else None
    except (TypeError, ValueError, OverflowError):
        number = None
    if number is None or not low <= number <= high:
        errors.setdefault(key, []).append(
            _("%(field)s must be a whole number from %(low)s to %(high)s.")
            % {"field": label, "low": low, "high": high})
        return low
    return number


def _float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


# Parameters of each kind: name → (required, default, check) where check returns the
# cleaned value or None when bad, and the message names what is wanted.
def _seconds(value: Any) -> int | None:
    number = _float(value)
    if number is None or number != int(number) or not 0 < number <= 366 * 86_400:
        return None
    return int(number)


def _fraction(value: Any) -> float | None:
    number = _float(value)
    return number if number is not None and 0 <= number <= 1 else None


def _positive(value: Any) -> float | None:
    number = _float(value)
    return number if number is not None and number > 0 else None


def _weeks(value: Any) -> int | None:
    number = _float(value)
    return int(number) if number is not None and number == int(number) and 1 <= number <= 52 \
        else None


_SECONDS_MSG = gettext_lazy("a whole number of seconds above 0")
PARAMS: dict[str, dict[str, tuple[bool, Any, Any, Any]]] = {
    RuleKind.THRESHOLD: {},
    RuleKind.RATE: {"window_s": (True, None, _seconds, _SECONDS_MSG)},
    RuleKind.ABSENCE: {"window_s": (True, None, _seconds, _SECONDS_MSG),
                       "seen_s": (False, None, _seconds, _SECONDS_MSG)},
    RuleKind.FORECAST: {"horizon_s": (True, None, _seconds, _SECONDS_MSG),
                        "lookback_s": (True, None, _seconds, _SECONDS_MSG),
                        "min_confidence": (False, 0.5, _fraction,
                                           gettext_lazy("a number from 0 to 1"))},
    RuleKind.ANOMALY: {"sensitivity": (False, 4.0, _positive, gettext_lazy("a number above 0")),
                       "min_weeks": (False, 2, _weeks,
                                     gettext_lazy("a whole number of weeks from 1 to 52"))},
}
ABSENCE_HISTORY = 12  # absence: a series counts as "seen" in the last 12 windows by default


def clean_params(kind: str, params: Any) -> tuple[dict[str, Any], list[str]]:
    """The parameters of a rule of ``kind`` with defaults filled in, and the errors (each
    naming the parameter)."""
    spec = PARAMS.get(kind, {})
    if params in (None, ""):
        params = {}
    if not isinstance(params, Mapping):
        return {}, [_("Parameters must be an object of names and values.")]
    errors: list[str] = []
    out: dict[str, Any] = {}
    for name in params:
        if name not in spec:
            errors.append(_("%(name)s is not a parameter of %(kind)s rules.")
                          % {"name": name, "kind": kind})
    for name, (required, default, check, wanted) in spec.items():
        if name not in params or params[name] in (None, ""):
            if required:
                errors.append(_("%(name)s is required for %(kind)s rules.")
                              % {"name": name, "kind": kind})
            elif default is not None:
                out[name] = default
            continue
        value = check(params[name])
        if value is None:
            errors.append(_("%(name)s must be %(wanted)s.") % {"name": name, "wanted": wanted})
        else:
            out[name] = value
    if kind == RuleKind.ABSENCE and not errors and "seen_s" in out \
            and out["seen_s"] <= out["window_s"]:
        errors.append(_("seen_s must be longer than window_s."))
    return out, errors


def expr_error_message(exc: promql.ExprError) -> str:
    """The parser's message in the user's language (its parameters that are English
    phrases too; an untranslated one stays English)."""
    params = {k: _(v) if isinstance(v, promql.Phrase) else v for k, v in exc.params.items()}
    reason = _(exc.template) % params if params else _(exc.template)
    return _("Invalid expression at position %(position)s: %(reason)s") % {
        "position": exc.position, "reason": reason}


def clean_rule(data: Mapping[str, Any], *, rule: Rule | None = None,
               check_unique: bool = True) -> dict[str, Any]:
    """Every field of a rule, checked: ``data`` over the current values of ``rule``.
    Raises ValidationError naming each bad field; returns the cleaned values."""
    current: dict[str, Any] = {}
    if rule is not None:
        current = {name: getattr(rule, name) for name in FIELDS}
    merged = {**current, **{k: v for k, v in data.items() if k in FIELDS}}
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    name = str(merged.get("name") or "").strip()
    if not name:
        errors["name"] = [_("A rule needs a name.")]
    elif len(name) > 200:
        errors["name"] = [_("The name is longer than 200 characters.")]
    out["name"] = name

    code = str(merged.get("code") or "").strip() or slugify(name)[:100]
    if not code or slugify(code) != code or len(code) > 100:
        errors["code"] = [_("The code must be lowercase letters, digits and hyphens.")]
    elif check_unique:
        others = Rule.objects.filter(code=code)
        if rule is not None and rule.pk is not None:
            others = others.exclude(pk=rule.pk)
        if others.exists():
            errors["code"] = [_("A rule with this code exists already.")]
    out["code"] = code

    kind = merged.get("kind") or RuleKind.THRESHOLD
    if kind not in RuleKind.values:
        errors["kind"] = [_("Unknown rule kind %(kind)s.") % {"kind": kind}]
    out["kind"] = kind

    expr = str(merged.get("expr") or "").strip()
    if not expr:
        errors["expr"] = [_("A rule needs an expression.")]
    else:
        try:
            tree = promql.parse(expr)
        except promql.ExprError as exc:
            errors["expr"] = [expr_error_message(exc)]
        else:
            if promql.type_of(tree) != promql.VECTOR:
                errors["expr"] = [_("The expression must give series (an instant vector), "
                                    "not a single number.")]
            elif kind == RuleKind.ABSENCE and not promql.selectors(tree):
                errors["expr"] = [_("A no-data rule needs an expression with a metric "
                                    "selector.")]
    out["expr"] = expr

    operator = merged.get("operator") or RuleOperator.GT
    if operator not in RuleOperator.values:
        errors["operator"] = [_("The operator must be one of > >= < <=.")]
    out["operator"] = operator

    threshold = _float(merged.get("threshold", 0.0))
    if threshold is None:
        errors["threshold"] = [_("The threshold must be a finite number.")]
    out["threshold"] = threshold if threshold is not None else 0.0

    out["for_s"] = _int(errors, "for_s", merged.get("for_s", 0) or 0, 0, MAX_FOR_S,
                        "for_s")
    out["interval_s"] = _int(errors, "interval_s", merged.get("interval_s") or 60,
                             MIN_INTERVAL_S, MAX_INTERVAL_S, "interval_s")

    params, param_errors = clean_params(kind, merged.get("params"))
    if param_errors:
        errors["params"] = param_errors
    out["params"] = params

    severity = merged.get("severity") or Severity.WARNING
    if severity not in Severity.values:
        errors["severity"] = [_("Unknown severity %(severity)s.") % {"severity": severity}]
    out["severity"] = severity

    item_kind = merged.get("item_kind") or ""
    if item_kind and item_kind not in ItemKind.values:
        errors["item_kind"] = [_("Unknown item class %(kind)s.") % {"kind": item_kind}]
    out["item_kind"] = item_kind

    item = merged.get("item")
    if item is not None and not isinstance(item, ConfigItem):
        item = ConfigItem.objects.filter(pk=item).first() if str(item).isdigit() else None
        if item is None:
            errors["item"] = [_("No such item.")]
    if isinstance(item, ConfigItem) and item_kind and item.kind != item_kind:
        errors["item"] = [_("The item is not of the class the rule applies to.")]
    out["item"] = item

    summary = str(merged.get("summary") or "").strip()
    if len(summary) > 500:
        errors["summary"] = [_("The summary is longer than 500 characters.")]
    out["summary"] = summary

    enabled = merged.get("enabled", True)
    out["enabled"] = enabled if isinstance(enabled, bool) else str(enabled).lower() in (
        "1", "true", "on", "yes")

    if errors:
        raise ValidationError(errors)
    return out


def unsaved_rule(data: Mapping[str, Any], *, rule: Rule | None = None) -> Rule:
    """A Rule built from ``data`` (over ``rule``), validated, not saved: for previews."""
    values = clean_rule(data, rule=rule, check_unique=False)
    return Rule(**values)


# --- changes ------------------------------------------------------------------------------

def _snapshot(rule: Rule) -> dict[str, Any]:
    return audit.snapshot(rule)


@transaction.atomic
def create_rule(actor: Any, *, request: HttpRequest | None = None, **data: Any) -> Rule:
    _require(actor)
    values = clean_rule(data)
    rule = Rule(**values)
    rule.save()
    audit.record(AuditAction.CREATE, actor=actor, request=request, obj=rule,
                 changes=audit.diff(None, _snapshot(rule)))
    return rule


@transaction.atomic
def update_rule(actor: Any, rule: Rule, *, request: HttpRequest | None = None,
                **data: Any) -> Rule:
    """Change the fields given in ``data``; the others stay."""
    _require(actor)
    values = clean_rule(data, rule=rule)
    before = _snapshot(rule)
    for name, value in values.items():
        setattr(rule, name, value)
    rule.save()
    changes = audit.diff(before, _snapshot(rule))
    if changes:
        audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=rule,
                     changes=changes)
        if {"expr", "kind", "params", "item", "item_kind"} & set(changes):
            rule.states.all().delete()  # series of the old condition mean nothing now
    return rule


def set_rule_enabled(actor: Any, rule: Rule, enabled: bool, *,
                     request: HttpRequest | None = None) -> Rule:
    _require(actor)
    with transaction.atomic():
        if rule.enabled == enabled:
            return rule
        before = _snapshot(rule)
        rule.enabled = enabled
        rule.save(update_fields=["enabled", "updated_at"])
        if not enabled:
            rule.states.all().delete()
        audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=rule,
                     changes=audit.diff(before, _snapshot(rule)),
                     detail={"operation": "enable" if enabled else "disable"})
    return rule


@transaction.atomic
def delete_rule(actor: Any, rule: Rule, *, request: HttpRequest | None = None) -> None:
    _require(actor)
    before = _snapshot(rule)
    audit.record(AuditAction.DELETE, actor=actor, request=request, obj=rule,
                 changes=audit.diff(before, None))
    rule.delete()


# --- shipped defaults ---------------------------------------------------------------------

SHIPPED_FIELDS = ("name", "kind", "expr", "operator", "threshold", "for_s", "interval_s",
                  "params", "severity", "item_kind", "summary")


def definition_hash(values: Mapping[str, Any]) -> str:
    """A hash of the shipped fields of a rule (as stored), to tell an edited default."""
    data = {k: values.get(k) for k in SHIPPED_FIELDS}
    data["threshold"] = float(data["threshold"] or 0.0)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def shipped_rules(path: Path | None = None, *, language: str | None = None
                  ) -> list[dict[str, Any]]:
    """The default rules of the YAML file: cleaned field values per rule, in the
    language of the site (``name_zh``/``summary_zh`` for Chinese)."""
    raw = yaml.safe_load((path or DEFAULTS_FILE).read_text(encoding="utf-8")) or {}
    zh = (language or settings.LANGUAGE_CODE).lower().startswith("zh")
    out = []
    for item_kind, rules in raw.items():
        for entry in rules:
            data = {k: v for k, v in entry.items() if k in FIELDS}
            if zh:
                data["name"] = entry.get("name_zh") or entry["name"]
                data["summary"] = entry.get("summary_zh") or entry.get("summary", "")
            data["item_kind"] = "" if item_kind == "all" else item_kind
            out.append(data)
    return out


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)


def load_default_rules(actor: Any = None, *, path: Path | None = None,
                       language: str | None = None) -> LoadReport:
    """Create the shipped rules that are missing, bring unedited ones up to the shipped
    definition, and keep the ones a person has edited (their stored fields no longer hash
    to what was shipped). Idempotent. ``actor`` None: the system (setup, migrations)."""
    if actor is not None:
        _require(actor)
    report = LoadReport()
    with transaction.atomic():
        for data in shipped_rules(path, language=language):
            existing = Rule.objects.filter(code=data["code"]).first()
            if existing is None:
                values = clean_rule(data)
                rule = Rule(**values, is_default=True, shipped_hash=definition_hash(values))
                rule.save()
                audit.record(AuditAction.CREATE, actor=actor, obj=rule,
                             changes=audit.diff(None, _snapshot(rule)),
                             detail={"operation": "load default rules"})
                report.created.append(rule.code)
                continue
            stored = {k: getattr(existing, k) for k in SHIPPED_FIELDS}
            if not existing.is_default or definition_hash(stored) != existing.shipped_hash:
                report.kept_edited.append(existing.code)
                continue
            values = clean_rule({k: v for k, v in data.items() if k != "enabled"},
                                rule=existing)
            new_hash = definition_hash(values)
            if new_hash == existing.shipped_hash:
                report.unchanged.append(existing.code)
                continue
            before = _snapshot(existing)
            for name in SHIPPED_FIELDS:
                setattr(existing, name, values[name])
            existing.shipped_hash = new_hash
            existing.save()
            existing.states.all().delete()
            audit.record(AuditAction.UPDATE, actor=actor, obj=existing,
                         changes=audit.diff(before, _snapshot(existing)),
                         detail={"operation": "load default rules"})
            report.updated.append(existing.code)
    return report
