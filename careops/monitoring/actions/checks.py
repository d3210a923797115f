"""Checks: kept in step with the CMDB (managed scrape checks) and made by hand (audited).

``sync_item_checks(item)`` runs after every save of a configuration item (a post_save
signal, careops.monitoring.signals) and from ``careops sync_checks`` for all items: each
``monitoring_endpoints`` entry ``{"job", "target", "path"?}`` is one managed scrape check,
due at once, so a new host with a node_exporter endpoint is collected on the collector's
next tick without a restart. Hand-made checks go through :func:`create_check`,
:func:`update_check`, :func:`run_check_now` and :func:`delete_check`; they are validated
on save with the collector's own parsing of the target and parameters.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from careops.cmdb.choices import ItemStatus
from careops.cmdb.models import ConfigItem
from careops.core import access, audit
from careops.core.choices import AuditAction
from careops.core.models import SecretKind
from careops.core.roles import Cap, has_cap
from careops.monitoring import collectors
from careops.monitoring.choices import CheckKind, CheckStatus
from careops.monitoring.models import Check

SYSTEM = "system"
FAILING = frozenset({CheckStatus.FAILED, CheckStatus.TIMEOUT, CheckStatus.REJECTED})
MIN_INTERVAL_S, MAX_INTERVAL_S = 5, 86_400
MIN_TIMEOUT_S, MAX_TIMEOUT_S = 0.5, 300.0
CREDENTIAL_KINDS = frozenset({SecretKind.PASSWORD, SecretKind.SSH_KEY})
# What may be changed on a managed check by hand (the rest follows the item's endpoints).
MANAGED_EDITABLE = frozenset({"interval_s", "timeout_s", "enabled", "zone", "name"})
EDITABLE = frozenset({"kind", "name", "target", "params", "credential", "interval_s",
                      "timeout_s", "zone", "enabled"})


def item_zone(item: ConfigItem) -> str:
    """The network zone of ``item``: its own (hosts, network devices) or its host's
    (databases); "" when it has none."""
    specific = item.specific()
    zone = getattr(specific, "network_zone", "")
    if not zone:
        host = getattr(specific, "host", None)
        zone = getattr(host, "network_zone", "") if host is not None else ""
    return str(zone or "")


def _endpoint_params(endpoint: Mapping[str, Any]) -> dict[str, str]:
    params = {"job": str(endpoint.get("job") or "other")}
    if endpoint.get("path"):
        params["path"] = str(endpoint["path"])
    return params


def sync_item_checks(item: ConfigItem, *, actor: Any = None) -> list[Check]:
    """Create, update and delete the managed scrape checks of ``item`` so that they match
    its monitoring endpoints. Returns the managed checks now in place."""
    desired: dict[str, dict[str, str]] = {}
    for endpoint in item.monitoring_endpoints or []:
        if isinstance(endpoint, dict) and endpoint.get("target"):
            desired[str(endpoint["target"])] = _endpoint_params(endpoint)
    enabled = item.status != ItemStatus.RETIRED
    zone = item_zone(item) if desired else ""
    now = timezone.now()
    records = []
    kept: list[Check] = []
    stopped: list[Check] = []
    with transaction.atomic():
        existing = {c.target: c for c in Check.objects.select_for_update()
                    .filter(item=item, kind=CheckKind.SCRAPE)}
        for target, check in existing.items():
            if not check.managed:
                continue
            if target not in desired:
                records.append(audit.build(AuditAction.DELETE, actor=actor, obj=check,
                                           username=SYSTEM,
                                           changes=audit.diff(audit.snapshot(check), None),
                                           detail={"reason": "endpoint removed"}))
                stopped.append(copy.copy(check))
                check.delete()
                continue
            before = audit.snapshot(check)
            check.params = desired[target]
            if not enabled:  # retired; a check disabled by hand stays disabled
                check.enabled = False
            check.zone = check.zone or zone
            changes = audit.diff(before, audit.snapshot(check))
            changes.pop("updated_at", None)
            if changes:
                check.save()
                records.append(audit.build(AuditAction.UPDATE, actor=actor, obj=check,
                                           username=SYSTEM, changes=changes,
                                           detail={"reason": "endpoint changed"}))
                if "enabled" in changes:
                    stopped.append(check)
            kept.append(check)
        for target, params in desired.items():
            if target in existing:
                continue  # managed: handled above; hand-made: the hand-made check stays
            check = Check.objects.create(
                item=item, kind=CheckKind.SCRAPE, target=target, params=params,
                name=_("%(job)s exporter") % {"job": params["job"]}, zone=zone,
                enabled=enabled, managed=True, next_run_at=now)
            records.append(audit.build(AuditAction.CREATE, actor=actor, obj=check,
                                       username=SYSTEM,
                                       changes=audit.diff(None, audit.snapshot(check)),
                                       detail={"reason": "endpoint added"}))
            kept.append(check)
        if not enabled:  # a retired item's hand-made checks stop too
            for check in Check.objects.select_for_update().filter(item=item, managed=False,
                                                                  enabled=True):
                before = audit.snapshot(check)
                check.enabled = False
                check.save(update_fields=["enabled", "updated_at"])
                records.append(audit.build(AuditAction.UPDATE, actor=actor, obj=check,
                                           username=SYSTEM,
                                           changes={"enabled": [True, False]},
                                           detail={"reason": "item retired"}))
                stopped.append(check)
        audit.append(records)
    _resolve_alerts(stopped, _("the item was retired"))
    return kept


def _resolve_alerts(checks: list[Check], why: str) -> None:
    """Checks that stop running (deleted, disabled, their item retired) while failing would
    leave their alerts firing for ever: resolve them now, saying why."""
    from careops.monitoring.actions import alerts
    from careops.monitoring.choices import AlertSource, AlertStatus
    from careops.monitoring.types import AlertSignal

    now = timezone.now()
    signals = [AlertSignal(
        source=AlertSource.CHECK, name="CheckFailed", labels={"careops_check": str(c.pk)},
        status=AlertStatus.RESOLVED, severity="info", starts_at=now, ends_at=now,
        item_id=c.item_id, check_id=None,
        summary=(_("%(check)s no longer runs: %(why)s") % {"check": c, "why": why})[:300])
        for c in checks if c.last_status in FAILING]
    if signals:
        alerts.receive(signals, now=now)


def sync_all(*, actor: Any = None, changed_since: dt.datetime | None = None) -> int:
    """Sync the managed checks of every item (or of those changed since ``changed_since``:
    the collector catches up this way with bulk imports, which send no signals). Items
    with no endpoints and no managed checks are skipped. Returns how many items have
    managed checks."""
    with_checks = set(Check.objects.filter(managed=True).values_list("item_id", flat=True))
    items = ConfigItem.objects.order_by("pk")
    if changed_since is not None:
        items = items.filter(updated_at__gte=changed_since)
    count = 0
    for item in items.iterator(500):
        if not item.monitoring_endpoints and item.pk not in with_checks:
            continue
        if sync_item_checks(item, actor=actor):
            count += 1
    return count


# --- hand-made checks -----------------------------------------------------------------
def run_params(check: Check) -> Any:
    """The parameters a run of ``check`` gets: its own, plus for SSH the host key the CMDB
    pinned at the host's first discovery (``SshHostKey``) when the check names none, so a
    check of a discovered host needs no key typed in and a changed key fails it."""
    if not isinstance(check.params, dict):
        return check.params  # not an object: validation refuses it
    params = dict(check.params)
    if check.kind == CheckKind.SSH and not params.get("known_host"):
        from careops.cmdb.models import SshHostKey

        pinned = SshHostKey.objects.filter(host_id=check.item_id).values_list(
            "public_key", flat=True).first()
        if pinned:
            params["known_host"] = pinned
    return params


def _require_manage(actor: Any, item: ConfigItem) -> None:
    if not has_cap(actor, Cap.MANAGE_MONITORING) or not access.can_view(actor, item):
        raise PermissionDenied(_("You may not manage the checks of this item."))


def _validate(check: Check) -> None:
    """The model's own checks, the interval and timeout bounds, and the collector's
    parsing of the target and parameters (``collectors.validate``): every error at once,
    each on its field."""
    errors: dict[str, list[str]] = {}
    try:
        check.full_clean()
    except ValidationError as exc:
        errors.update({k: list(v) for k, v in exc.message_dict.items()})
    interval_ok = "interval_s" not in errors
    if interval_ok and not MIN_INTERVAL_S <= check.interval_s <= MAX_INTERVAL_S:
        interval_ok = False
        errors["interval_s"] = [_("The interval must be between %(low)s and %(high)s "
                                  "seconds.") % {"low": MIN_INTERVAL_S, "high": MAX_INTERVAL_S}]
    longest = min(MAX_TIMEOUT_S, check.interval_s) if interval_ok else MAX_TIMEOUT_S
    if "timeout_s" not in errors and not MIN_TIMEOUT_S <= check.timeout_s <= longest:
        errors["timeout_s"] = [_("The timeout must be between %(low)s and %(high)s seconds, "
                                 "and not longer than the interval.")
                               % {"low": MIN_TIMEOUT_S, "high": MAX_TIMEOUT_S}]
    if check.credential is not None and check.credential.kind not in CREDENTIAL_KINDS:
        errors["credential"] = [_("A check logs in with a password or an SSH key.")]
    if "kind" not in errors:
        for field, reason in collectors.validate(check.kind, check.target,
                                                 run_params(check)).items():
            errors.setdefault(field, []).append(reason)
    if errors:
        raise ValidationError(errors)


def create_check(actor: Any, item: ConfigItem, *, kind: str, target: str,
                 request: Any = None, **fields: Any) -> Check:
    """A hand-made check of ``item``; refused with every bad field and its reason."""
    _require_manage(actor, item)
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("This field cannot be set.")]})
    if item.status == ItemStatus.RETIRED:
        raise ValidationError({"item": [_("The item is retired: it gets no new checks.")]})
    check = Check(item=item, kind=kind, target=str(target or "").strip(), managed=False,
                  **fields)
    if not check.zone:
        check.zone = item_zone(item)
    check.next_run_at = timezone.now()
    _validate(check)
    try:
        with transaction.atomic():
            check.save()
            audit.record(AuditAction.CREATE, actor=actor, request=request, obj=check,
                         changes=audit.diff(None, audit.snapshot(check)))
    except IntegrityError:  # the same check, saved by someone else a moment ago
        raise ValidationError({"target": [_("The item already has a check of this kind "
                                            "on this target.")]}) from None
    return check


def update_check(actor: Any, check: Check, *, request: Any = None, **fields: Any) -> Check:
    _require_manage(actor, check.item)
    allowed = MANAGED_EDITABLE if check.managed else EDITABLE
    refused = set(fields) - allowed
    if refused:
        name = sorted(refused)[0]
        reason = (_("A managed check follows the item's monitoring endpoints; change the "
                    "endpoint instead.") if check.managed and name in EDITABLE
                  else _("This field cannot be set."))
        raise ValidationError({name: [reason]})
    with transaction.atomic():
        locked = Check.objects.select_for_update().get(pk=check.pk)
        before = audit.snapshot(locked)
        before_check = copy.copy(locked)
        for name, value in fields.items():
            setattr(locked, name, value.strip() if name == "target" and isinstance(
                value, str) else value)
        if not locked.zone:  # blank: the item's zone, as when it was made
            locked.zone = item_zone(locked.item)
        _validate(locked)
        changes = audit.diff(before, audit.snapshot(locked))
        changes.pop("updated_at", None)
        if {"kind", "target", "params", "credential"} & set(changes):
            locked.next_run_at = timezone.now()  # a changed check runs again at once
        locked.save()
        if changes:
            audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=locked,
                         changes=changes)
    if changes.get("enabled") and not locked.enabled:
        _resolve_alerts([before_check], _("it was disabled"))
    return locked


def run_check_now(actor: Any, check: Check, *, request: Any = None) -> Check:
    """Make ``check`` due now: its zone's collector runs it on its next tick (within a
    second or two), whatever its interval. Audited, since it reaches the target."""
    _require_manage(actor, check.item)
    if not check.enabled:
        raise ValidationError({"enabled": [_("The check is disabled: enable it to run it.")]})
    with transaction.atomic():
        now = timezone.now()
        Check.objects.filter(pk=check.pk).update(next_run_at=now)
        check.next_run_at = now
        audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=check,
                     detail={"reason": "run now"})
    return check


def delete_check(actor: Any, check: Check, *, request: Any = None) -> None:
    _require_manage(actor, check.item)
    if check.managed:
        raise ValidationError({"managed": [_(
            "A managed check follows the item's monitoring endpoints; remove the endpoint "
            "instead.")]})
    gone = copy.copy(check)
    with transaction.atomic():
        audit.record(AuditAction.DELETE, actor=actor, request=request, obj=check,
                     changes=audit.diff(audit.snapshot(check), None))
        check.delete()
    _resolve_alerts([gone], _("it was deleted"))
