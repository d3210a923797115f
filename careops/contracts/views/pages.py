"""Contract pages: the list, a contract with its SLA matrix and obligations, and the
upload form that shows every error with its line."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from careops.contracts.actions import profiles
from careops.contracts.forms import ContractUploadForm
from careops.contracts.models import ContractProfile, ContractVersion
from careops.core import access
from careops.core.roles import Cap, has_cap
from careops.core.views.decorators import cap_required
from careops.logic.contract import KINDS, TARGETS, ContractInvalid
from careops.servicedesk.labels import TARGET_LABELS

KIND_LABELS = {
    "incident": gettext_lazy("Incident"), "request": gettext_lazy("Service request"),
    "bug": gettext_lazy("Bug"), "change": gettext_lazy("Change"),
    "problem": gettext_lazy("Problem"),
}
HALF_LABELS = {
    "in_hours": gettext_lazy("Reported in working hours"),
    "out_of_hours": gettext_lazy("Reported outside working hours"), "any": "",
}
FREQUENCY_LABELS = {
    "once": gettext_lazy("Once"), "day": gettext_lazy("Daily"), "week": gettext_lazy("Weekly"),
    "month": gettext_lazy("Monthly"), "quarter": gettext_lazy("Quarterly"),
    "half_year": gettext_lazy("Half-yearly"), "year": gettext_lazy("Yearly"),
    "contract": gettext_lazy("Per service period"),
}
OWNER_LABELS = {"vendor": gettext_lazy("Vendor"), "hospital": gettext_lazy("Hospital"),
                "both": gettext_lazy("Both parties")}
UNIT_LABELS = {
    "minutes": gettext_lazy("%(n)s min"), "working_minutes": gettext_lazy("%(n)s working min"),
    "working_days": gettext_lazy("%(n)s working days"), "months": gettext_lazy("%(n)s months"),
    "working_day": gettext_lazy("%(n)s working day"), "month": gettext_lazy("%(n)s month"),
}


def duration_label(text: str) -> str:
    """``"120 minutes"`` → “2 h”-style readable text in the current language."""
    if not text:
        return ""
    amount, _sep, unit = text.partition(" ")
    unit = unit.replace(" ", "_")
    number = float(amount)
    if unit == "minutes" and number >= 60 and number % 60 == 0:
        return _("%(n)s h") % {"n": int(number // 60)}
    label = UNIT_LABELS.get(unit)
    shown = int(number) if number == int(number) else number
    return str(label % {"n": shown}) if label else text


def sla_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for kind in KINDS:
        for level, halves in summary.get("sla", {}).get(kind, {}).items():
            for half, targets in halves.items():
                rows.append({"kind": KIND_LABELS[kind], "level": level,
                             "half": HALF_LABELS.get(half, ""),
                             "cells": [duration_label(targets.get(t, "")) for t in TARGETS]})
    return rows


def _visible(request: HttpRequest) -> Any:
    return access.scope(request.user, ContractProfile.objects.select_related("vendor"))


def with_versions(queryset: Any) -> Any:
    """Prefetch the versions newest first, without their YAML text: ``current_version``
    then reads the prefetched list instead of one query per contract."""
    return queryset.prefetch_related(Prefetch(
        "versions", queryset=ContractVersion.objects.defer("yaml_text").order_by("-number")))


@cap_required(Cap.VIEW_OPERATIONS)
def contract_list(request: HttpRequest) -> HttpResponse:
    contracts = with_versions(_visible(request).prefetch_related("systems"))
    return render(request, "contracts/list.html", {
        "contracts": contracts, "can_manage": has_cap(request.user, Cap.MANAGE_CONTRACTS)})


@cap_required(Cap.VIEW_OPERATIONS)
def contract_detail(request: HttpRequest, code: str) -> HttpResponse:
    from careops.contracts.views import obligations as obligation_views

    profile = get_object_or_404(_visible(request), code=code)
    versions = list(profile.versions.select_related("created_by").order_by("-number"))
    wanted = request.GET.get("version")
    version = versions[0] if versions else None
    if wanted:
        version = next((v for v in versions if str(v.number) == wanted), None)
        if version is None:
            raise Http404(_("No such version."))
    summary = version.summary if version else {}
    obligations = [{**o, "every_label": FREQUENCY_LABELS.get(o["every"], o["every"]),
                    "owner_label": OWNER_LABELS.get(o["owner"], o["owner"])}
                   for o in summary.get("obligations", [])]
    from careops.servicedesk.compliance import compliance

    return render(request, "contracts/detail.html", {
        "profile": profile, "version": version, "versions": versions, "summary": summary,
        "compliance": [{"row": row, "target": TARGET_LABELS.get(row.target, row.target)}
                       for row in compliance(profile, timezone.now())],
        "target_labels": [TARGET_LABELS[t] for t in TARGETS], "sla_rows": sla_rows(summary),
        "obligations": obligations, "can_manage": has_cap(request.user, Cap.MANAGE_CONTRACTS),
        "systems": profile.systems.order_by("code"),
        "upcoming_obligations": obligation_views.upcoming(profile, request.user)})


@cap_required(Cap.MANAGE_CONTRACTS)
@require_http_methods(["GET", "POST"])
def contract_upload(request: HttpRequest, code: str | None = None) -> HttpResponse:
    profile = get_object_or_404(ContractProfile, code=code) if code else None
    initial = {}
    if profile is not None and profile.current_version is not None:
        initial["yaml_text"] = profile.current_version.yaml_text
    form = ContractUploadForm(request.POST or None, request.FILES or None, initial=initial)
    errors: list[Any] = []
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["yaml_text"]
        try:
            result = profiles.load_profile(request.user, text, request=request,
                                           valid_from=form.cleaned_data.get("valid_from"))
        except ContractInvalid as exc:
            errors = list(exc.errors)
        else:
            version = result.version
            if profile is not None and version.profile_id != profile.pk:
                messages.warning(request, _("The document's code is “%(code)s”: it was loaded "
                                            "as that contract.") % {"code": version.profile.code})
            if result.created:
                messages.success(request, _("Version %(number)s of %(code)s is loaded.")
                                 % {"number": version.number, "code": version.profile.code})
            else:
                messages.info(request, _("The text equals the current version; nothing "
                                         "changed."))
            return redirect("contracts:detail", code=version.profile.code)
    lines = form.data.get("yaml_text", "").splitlines() if errors else []
    bad_lines = {e.line for e in errors}
    return render(request, "contracts/upload.html", {
        "form": form, "profile": profile, "errors": errors,
        "numbered": [{"number": i, "text": line, "bad": i in bad_lines}
                     for i, line in enumerate(lines, 1)],
    }, status=400 if errors else 200)
