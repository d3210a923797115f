"""/cmdb/file-sd.json: the Prometheus target groups for a signed-in browser session
(Prometheus itself uses the token-authenticated API, /api/v1/cmdb/file-sd/)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from careops.cmdb import file_sd
from careops.cmdb.validators import EXPORTER_JOBS
from careops.core.roles import Cap, has_cap


@require_GET
@login_required
def file_sd_json(request: HttpRequest) -> JsonResponse:
    if not has_cap(request.user, Cap.VIEW_OPERATIONS):
        raise PermissionDenied
    zone = request.GET.get("zone") or None
    job = request.GET.get("job") or None
    fields: dict[str, list[str]] = {}
    if zone is not None and not file_sd.is_zone(zone):
        fields["zone"] = [_("Unknown network zone %(zone)s; use one of %(zones)s.")
                          % {"zone": zone, "zones": ", ".join(file_sd.ZONES)}]
    if job is not None and job not in EXPORTER_JOBS:
        fields["job"] = [_("Unknown exporter job %(job)s; use one of %(jobs)s.")
                         % {"job": job, "jobs": ", ".join(EXPORTER_JOBS)}]
    if fields:
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
        return JsonResponse({"error": {"status": 400, "code": "invalid", "message": message,
                                       "fields": fields}}, status=400)
    groups = file_sd.groups(request.user, zone=zone, job=job)
    return JsonResponse(groups, safe=False, json_dumps_params={"ensure_ascii": False})
