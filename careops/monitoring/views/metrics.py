"""An item's metrics page: ECharts line charts drawn by careops/static/careops/metrics.js
from the scoped query_range API, the item's checks with their last status, and the
metric store's health."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from careops.cmdb.views import common
from careops.core.roles import Cap, has_cap
from careops.core.views.decorators import cap_required
from careops.monitoring.charts import POINTS, RANGES, charts_for
from careops.monitoring.models import Check
from careops.monitoring.storage import status
from careops.monitoring.views.checks import coloured


@cap_required(Cap.VIEW_OPERATIONS)
def item_metrics(request: HttpRequest, pk: int) -> HttpResponse:
    item = common.visible_item(request, pk)  # 404 when the user may not see it
    charts = [{"key": c.key, "title": c.title, "unit": c.unit, "legend": c.legend,
               "query": c.query} for c in charts_for(item.kind)]
    checks = coloured(list(Check.objects.filter(item=item).order_by("kind", "target")))
    chosen = request.GET.get("range", "24h")
    if chosen not in dict(RANGES):
        chosen = "24h"
    return render(request, "monitoring/item_metrics.html", {
        "item": item, "charts": charts, "checks": checks, "ranges": RANGES,
        "range": chosen, "points": POINTS, "store": status.current(),
        "api_url": reverse("monitoring-query-range"),
        "may_manage": has_cap(request.user, Cap.MANAGE_MONITORING),
    })
