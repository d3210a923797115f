"""The CMDB overview: counts per class, items under maintenance, recent changes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from careops.cmdb.choices import ItemStatus
from careops.cmdb.models import BusinessSystem, ConfigItem
from careops.cmdb.views import common, display
from careops.cmdb.views.registry import ITEMS, RECORDS
from careops.core import access
from careops.core.models import AuditRecord
from careops.core.roles import Cap, has_cap

RECENT = 15


@login_required
def index(request: HttpRequest) -> HttpResponse:
    common.require_view(request)
    user = request.user
    visible = access.scope(user, ConfigItem.objects.all())
    counts = dict(visible.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    classes = [{"entry": e, "count": counts.get(e.model.KIND, 0),  # type: ignore[attr-defined]
                "url": reverse("cmdb:item_list", args=[e.slug])} for e in ITEMS]
    records: list[dict[str, Any]] = []
    if common.records_visible(request):
        records = [{"entry": e, "count": e.model._default_manager.count(),
                    "url": reverse("cmdb:record_list", args=[e.slug])} for e in RECORDS]
    systems = access.scope(user, BusinessSystem.objects.all()).aggregate(
        critical=Count("pk", filter=Q(criticality=1)),
        safety=Count("pk", filter=Q(patient_safety=True)),
        always=Count("pk", filter=Q(hours_of_use="7x24")))
    maintenance = list(visible.filter(status=ItemStatus.MAINTENANCE).order_by(
        "-updated_at")[:20])
    changes = AuditRecord.objects.filter(object_type__startswith="cmdb.").order_by("-id")
    if access.visible_system_ids(user) is not None:
        labels = [f"cmdb.{e.model._meta.model_name}" for e in ITEMS]
        ids = [str(pk) for pk in visible.values_list("pk", flat=True)]
        changes = changes.filter(object_type__in=labels, object_id__in=ids)
    recent = list(changes[:RECENT])
    item_labels = {f"cmdb.{e.model._meta.model_name}" for e in ITEMS}
    mentioned = [int(r.object_id) for r in recent
                 if r.object_type in item_labels and r.object_id.isdigit()]
    existing = {str(pk) for pk in visible.filter(pk__in=mentioned).values_list("pk", flat=True)}
    rows = [(rec, reverse("cmdb:item_detail", args=[rec.object_id])
             if rec.object_type in item_labels and rec.object_id in existing else None)
            for rec in recent]
    return render(request, "cmdb/index.html", {
        "classes": classes, "records": records, "systems": systems,
        "total": sum(counts.values()),
        "maintenance": [(item, display.status_badge(item.status)) for item in maintenance],
        "changes": rows,
        "can_manage": has_cap(user, Cap.MANAGE_ITEMS),
        "can_audit": has_cap(user, Cap.VIEW_AUDIT),
    })
