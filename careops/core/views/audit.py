"""The auditor's pages: the audit log, one record, and the XLSX export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from careops.core import auditlog
from careops.core.actions import audit as audit_actions
from careops.core.filtersets import AuditRecordFilterSet
from careops.core.models import AuditRecord
from careops.core.roles import Cap, has_cap
from careops.core.views.decorators import cap_required

PAGE_SIZE = 50


@cap_required(Cap.VIEW_AUDIT)
def audit_list(request: HttpRequest) -> HttpResponse:
    filterset = AuditRecordFilterSet(request.GET or None,
                                     queryset=AuditRecord.objects.order_by("-id"))
    records = filterset.qs if filterset.is_bound else filterset.queryset
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html", {
        "filter": filterset, "page_obj": page,
        "can_export": has_cap(request.user, Cap.EXPORT_AUDIT),
    })


@cap_required(Cap.VIEW_AUDIT)
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rec = get_object_or_404(AuditRecord, pk=pk)
    previous = AuditRecord.objects.filter(id__lt=rec.pk).order_by("-id").first()
    following = AuditRecord.objects.filter(id__gt=rec.pk).order_by("id").first()
    changes = rec.changes if isinstance(rec.changes, dict) else {}
    detail = rec.detail if isinstance(rec.detail, dict) else {}
    return render(request, "core/audit_detail.html", {
        "record": rec,
        "changes": [(field, values[0], values[1]) for field, values in changes.items()
                    if isinstance(values, list) and len(values) == 2],
        "detail": sorted(detail.items()),
        "hash_ok": auditlog.record_hash_ok(rec),
        "previous": previous,
        "following": following,
        "linked": previous is None or previous.hash == rec.prev_hash,
    })


@cap_required(Cap.EXPORT_AUDIT)
def audit_export(request: HttpRequest) -> HttpResponseBase:
    filterset = AuditRecordFilterSet(request.GET or None, queryset=AuditRecord.objects.all())
    if filterset.is_bound and not filterset.is_valid():
        return redirect_back_to_list(request)
    records = filterset.qs if filterset.is_bound else filterset.queryset
    try:
        out, _rows = audit_actions.export_records(
            request.user, records, filterset.active_filters(), request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect_back_to_list(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return FileResponse(out, as_attachment=True, filename=f"careops-audit-{stamp}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet")


def redirect_back_to_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.urlencode()
    response = redirect("core:audit_list")
    if query:
        response["Location"] += "?" + query
    return response
