"""The live alert list, alert groups and maintenance windows (docs/monitoring-alerts.md)."""

from __future__ import annotations

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
from careops.core import access
from careops.core.forms.errors import apply_errors
from careops.core.roles import Cap, has_cap
from careops.core.views.decorators import cap_required
from careops.monitoring.actions import maintenance as windows
from careops.monitoring.choices import SEVERITY_COLOURS
from careops.monitoring.filtersets import AlertFilterSet, live_order
from careops.monitoring.forms import MaintenanceWindowForm
from careops.monitoring.models import Alert, AlertGroup, MaintenanceWindow

PAGE_SIZE = 100
SUPPRESSION_COLOURS = {"maintenance": "azure", "flapping": "purple", "dependency": "secondary"}


def _rows(alerts: list[Alert], now: Any) -> list[dict[str, Any]]:
    return [{"alert": a, "colour": SEVERITY_COLOURS.get(a.severity, "secondary"),
             "suppression_colour": SUPPRESSION_COLOURS.get(a.suppression, "secondary")}
            for a in alerts]


@cap_required(Cap.VIEW_OPERATIONS)
def alert_list(request: HttpRequest) -> HttpResponse:
    """Firing first, the most severe first; the table refreshes itself every 10 s."""
    now = timezone.now()
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = "firing"
    elif params["status"] == "all":
        params.pop("status")
    visible = access.scope(request.user, Alert.objects.select_related(
        "item", "group", "group__ticket", "suppressed_by"))
    filters = AlertFilterSet(params, queryset=visible, request=request)
    page = Paginator(live_order(filters.qs), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"rows": _rows(list(page.object_list), now), "page_obj": page, "now": now,
               "filters": filters, "status": request.GET.get("status", "firing"),
               "firing": visible.filter(status="firing").count()}
    if request.headers.get("HX-Request"):
        return render(request, "monitoring/_alert_table.html", context)
    style(filters.form)
    return render(request, "monitoring/alert_list.html", context)


@cap_required(Cap.VIEW_OPERATIONS)
def alert_group(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(access.scope(request.user, AlertGroup.objects.select_related(
        "ticket", "root_item")), pk=pk)
    alerts = access.scope(request.user, group.alerts.select_related("item", "suppressed_by"))
    now = timezone.now()
    return render(request, "monitoring/alert_group.html", {
        "group": group, "rows": _rows(list(live_order(alerts)), now), "now": now,
        "colour": SEVERITY_COLOURS.get(group.severity, "secondary")})


@cap_required(Cap.VIEW_OPERATIONS)
def maintenance_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = access.scope(request.user, MaintenanceWindow.objects.select_related(
        "created_by", "change").prefetch_related("items"))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "monitoring/maintenance_list.html", {
        "page_obj": page, "windows": page.object_list, "now": now,
        "can_manage": has_cap(request.user, Cap.MANAGE_MONITORING)})


@cap_required(Cap.MANAGE_MONITORING)
@require_http_methods(["GET", "POST"])
def maintenance_create(request: HttpRequest) -> HttpResponse:
    form = MaintenanceWindowForm(request.POST or None, user=request.user)
    style(form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            windows.create_window(request.user, items=data["items"],
                                  starts_at=data["starts_at"], ends_at=data["ends_at"],
                                  reason=data["reason"], request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The maintenance window is saved."))
            return redirect("monitoring:maintenance_list")
    mark_invalid(form)
    status = 400 if request.method == "POST" else 200
    return render(request, "monitoring/maintenance_form.html", {"form": form}, status=status)


@cap_required(Cap.MANAGE_MONITORING)
@require_POST
def maintenance_end(request: HttpRequest, pk: int) -> HttpResponse:
    window = get_object_or_404(access.scope(request.user, MaintenanceWindow.objects.all()),
                               pk=pk)
    try:
        windows.end_window(request.user, window, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The maintenance window has ended."))
    return redirect("monitoring:maintenance_list")
