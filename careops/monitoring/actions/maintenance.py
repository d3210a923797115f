"""Maintenance windows: made and ended here, audited (docs/monitoring-alerts.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from careops.cmdb.models import ConfigItem
from careops.core import access, audit
from careops.core.choices import AuditAction
from careops.core.roles import Cap, has_cap
from careops.monitoring.models import MaintenanceWindow

__all__ = ["create_window", "end_window"]


def _require(actor: Any) -> None:
    if not has_cap(actor, Cap.MANAGE_MONITORING):
        raise PermissionDenied(_("You may not manage maintenance windows."))


def _snapshot(window: MaintenanceWindow) -> dict[str, Any]:
    data = audit.snapshot(window)
    data["items"] = sorted(window.items.values_list("code", flat=True))
    return data


def create_window(actor: Any, *, items: Iterable[ConfigItem], starts_at: dt.datetime,
                  ends_at: dt.datetime, reason: str,
                  request: HttpRequest | None = None) -> MaintenanceWindow:
    """A window muting the alerts of ``items`` and of all that depends on them."""
    _require(actor)
    items = list(items)
    errors: dict[str, list[str]] = {}
    if not items:
        errors["items"] = [_("Choose at least one item.")]
    else:
        visible = set(access.scope(actor, ConfigItem.objects.filter(
            pk__in=[i.pk for i in items])).values_list("pk", flat=True))
        hidden = [i.code for i in items if i.pk not in visible]
        if hidden:
            errors["items"] = [_("You may not see: %(codes)s.") % {"codes": ", ".join(hidden)}]
    if not reason.strip():
        errors["reason"] = [_("Say why (the change, the upgrade …).")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The window must end after it starts.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        window = MaintenanceWindow.objects.create(starts_at=starts_at, ends_at=ends_at,
                                                  reason=reason.strip()[:500],
                                                  created_by=actor)
        window.items.set(items)
        audit.record(AuditAction.CREATE, actor=actor, request=request, obj=window,
                     changes=audit.diff(None, _snapshot(window)))
    return window


def end_window(actor: Any, window: MaintenanceWindow, request: HttpRequest | None = None,
               now: dt.datetime | None = None) -> MaintenanceWindow:
    """End a running (or future) window now; alerts are re-evaluated within a minute."""
    _require(actor)
    now = now or timezone.now()
    if window.ends_at <= now:
        raise ValidationError({"ends_at": [_("This window is already over.")]})
    before = _snapshot(window)
    with transaction.atomic():
        window.ends_at = max(now, window.starts_at + dt.timedelta(seconds=1))
        window.save(update_fields=["ends_at"])
        audit.record(AuditAction.UPDATE, actor=actor, request=request, obj=window,
                     changes=audit.diff(before, _snapshot(window)))
    return window
