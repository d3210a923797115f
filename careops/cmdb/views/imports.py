"""Import (upload → dry-run report → apply), templates and exports of CMDB lists."""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from careops.cmdb import exporter, importer
from careops.cmdb.forms.imports import ImportForm
from careops.core.roles import Cap
from careops.core.views.decorators import cap_required

UPLOAD_TTL_SECONDS = 3600
SESSION_KEY = "cmdb_import"
PREVIEW_ROWS = 200


def upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def purge_uploads(now: float | None = None) -> None:
    """Delete uploaded files older than an hour."""
    limit = (now or time.time()) - UPLOAD_TTL_SECONDS
    for path in upload_dir().glob("*.upload"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _stored(request: HttpRequest, token: str) -> tuple[dict[str, Any], bytes]:
    """The upload ``token`` of this session (Http404 when gone or not this user's)."""
    meta = request.session.get(SESSION_KEY, {}).get(token)
    path = upload_dir() / f"{token}.upload"
    if not meta or not token.isalnum() or not path.exists():
        raise Http404(_("The uploaded file has expired; upload it again."))
    return meta, path.read_bytes()


def _forget(request: HttpRequest, token: str) -> None:
    uploads = dict(request.session.get(SESSION_KEY, {}))
    uploads.pop(token, None)
    request.session[SESSION_KEY] = uploads
    (upload_dir() / f"{token}.upload").unlink(missing_ok=True)


def _report_page(request: HttpRequest, report: importer.Report, meta: dict[str, Any],
                 token: str, *, status: int = 200) -> HttpResponse:
    changes = [p for p in report.plans if p.action != "unchanged"]
    return render(request, "cmdb/import_report.html", {
        "report": report, "meta": meta, "token": token, "counts": report.counts(),
        "preview": changes[:PREVIEW_ROWS], "more": max(0, len(changes) - PREVIEW_ROWS),
        "class_title": importer.SPECS[meta["cls"]].verbose_name_plural if meta["cls"] else "",
    }, status=status)


@cap_required(Cap.MANAGE_ITEMS)
def import_start(request: HttpRequest) -> HttpResponse:
    purge_uploads()
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        token = secrets.token_hex(16)
        (upload_dir() / f"{token}.upload").write_bytes(data)
        meta = {"filename": upload.name, "cls": form.cleaned_data["cls"] or None,
                "update": form.cleaned_data["update"], "at": timezone.now().isoformat()}
        uploads = dict(request.session.get(SESSION_KEY, {}))
        uploads[token] = meta
        request.session[SESSION_KEY] = uploads
        report = importer.dry_run(data, upload.name, cls=meta["cls"], update=meta["update"])
        return _report_page(request, report, meta, token)
    return render(request, "cmdb/import.html", {"form": form, "classes": importer.CLASS_CHOICES})


@require_POST
@cap_required(Cap.MANAGE_ITEMS)
def import_apply(request: HttpRequest, token: str) -> HttpResponse:
    meta, data = _stored(request, token)
    try:
        report = importer.apply(request.user, data, meta["filename"], cls=meta["cls"],
                                update=meta["update"], request=request)
    except importer.ImportFailed as exc:
        messages.error(request, str(exc))
        return _report_page(request, exc.report, meta, token, status=400)
    _forget(request, token)
    summary = report.summary()
    created = sum(c["create"] for c in summary["classes"].values())
    updated = sum(c["update"] for c in summary["classes"].values())
    messages.success(request, _("Imported %(file)s: %(created)s created, %(updated)s updated.")
                     % {"file": meta["filename"], "created": created, "updated": updated})
    return redirect("cmdb:import")


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@cap_required(Cap.VIEW_OPERATIONS)
def import_template(request: HttpRequest) -> HttpResponse:
    cls = request.GET.get("cls") or None
    fmt = request.GET.get("format", "xlsx")
    if (cls is not None and cls not in importer.SPECS) or fmt not in ("xlsx", "csv"):
        raise Http404
    if fmt == "csv":
        if cls is None:
            raise Http404
        return _download(exporter.template_csv(cls), f"careops-{cls}-template.csv",
                         exporter.CSV_TYPE)
    name = f"careops-{cls or 'hospital'}-template.xlsx"
    return _download(exporter.template_xlsx(cls), name, exporter.XLSX_TYPE)


@require_GET
@cap_required(Cap.VIEW_OPERATIONS)
def export(request: HttpRequest) -> HttpResponse:
    cls = request.GET.get("cls", "")
    if cls not in importer.SPECS:
        raise Http404
    params = request.GET.copy()
    params.pop("cls", None)
    params.pop("page", None)
    data, _count = exporter.export_xlsx(request.user, cls, params, request=request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _download(data, f"careops-{cls}-{stamp}.xlsx", exporter.XLSX_TYPE)

