"""Pages of checks: every check with its last result (filterable), and on an item's
metrics page the forms to add, change, run now and delete its checks. Changes go through
careops.monitoring.actions.checks, which validates with the collector's own parsing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from careops.cmdb.choices import NetworkZone
from careops.cmdb.forms.fields import mark_invalid
from careops.cmdb.views import common
from careops.core import access
from careops.core.forms.errors import apply_errors
from careops.core.roles import Cap, has_cap
from careops.core.views.decorators import cap_required
from careops.monitoring.actions import checks as actions
from careops.monitoring.choices import CHECK_STATUS_COLOURS, CheckKind, CheckStatus
from careops.monitoring.forms import KIND_EXAMPLES, KIND_HELP, CheckForm
from careops.monitoring.models import Check

FAILING = (CheckStatus.FAILED, CheckStatus.TIMEOUT, CheckStatus.REJECTED)


def coloured(checks: list[Check]) -> list[Check]:
    """The checks with their status colour and zone label, for the checks table."""
    zones = dict(NetworkZone.choices)
    for check in checks:
        check.colour = CHECK_STATUS_COLOURS.get(  # type: ignore[attr-defined]
            check.last_status, "secondary")
        check.zone_label = zones.get(check.zone, check.zone)  # type: ignore[attr-defined]
    return checks


def _filtered(request: HttpRequest) -> tuple[QuerySet[Check], dict[str, str]]:
    checks = access.scope(request.user, Check.objects.select_related("item"))
    chosen = {k: request.GET.get(k, "").strip() for k in ("status", "kind", "zone", "q")}
    if chosen["status"] == "failing":
        checks = checks.filter(last_status__in=FAILING)
    elif chosen["status"] in CheckStatus.values:
        checks = checks.filter(last_status=chosen["status"])
    if chosen["kind"] in CheckKind.values:
        checks = checks.filter(kind=chosen["kind"])
    if chosen["zone"] in NetworkZone.values:
        checks = checks.filter(zone=chosen["zone"])
    if chosen["q"]:
        q = chosen["q"]
        checks = checks.filter(Q(item__code__icontains=q) | Q(item__name__icontains=q)
                               | Q(target__icontains=q) | Q(name__icontains=q))
    return checks.order_by("item__code", "kind", "target"), chosen


@cap_required(Cap.VIEW_OPERATIONS)
def check_list(request: HttpRequest) -> HttpResponse:
    checks, chosen = _filtered(request)
    page = Paginator(checks, 100).get_page(request.GET.get("page"))
    return render(request, "monitoring/check_list.html", {
        "checks": coloured(list(page)), "page": page, "chosen": chosen,
        "kinds": CheckKind.choices, "statuses": CheckStatus.choices,
        "zones": NetworkZone.choices, "show_item": True,
        "may_manage": has_cap(request.user, Cap.MANAGE_MONITORING)})


def _back(check_or_item: Any) -> str:
    item_pk = getattr(check_or_item, "item_id", None) or check_or_item.pk
    return reverse("monitoring:item_metrics", args=[item_pk]) + "#checks"


@cap_required(Cap.MANAGE_MONITORING)
@require_http_methods(["GET", "POST"])
def check_edit(request: HttpRequest, pk: int | None = None,
               item_pk: int | None = None) -> HttpResponse:
    """Add a check to an item (``item_pk``) or change one (``pk``)."""
    check = None
    if pk is not None:
        check = get_object_or_404(access.scope(request.user, Check.objects.select_related(
            "item", "credential")), pk=pk)
        item = check.item
    else:
        item = common.visible_item(request, int(item_pk or 0))  # 404 if the user may not see it
    managed = bool(check and check.managed)
    initial = CheckForm.initial_for(check) if check else {"kind": request.GET.get("kind")}
    form = CheckForm(request.POST or None, initial=initial, managed=managed)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            if check is None:
                saved = actions.create_check(request.user, item, request=request,
                                             kind=values.pop("kind"),
                                             target=values.pop("target"), **values)
            else:
                saved = actions.update_check(request.user, check, request=request, **values)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Check “%(name)s” is saved; it runs within a few "
                                        "seconds.") % {"name": saved})
            return redirect(_back(saved))
    mark_invalid(form)
    return render(request, "monitoring/check_form.html", {
        "form": form, "check": check, "item": item, "managed": managed,
        "help": [(kind, label, KIND_HELP[kind], *KIND_EXAMPLES[kind])
                 for kind, label in CheckKind.choices]},
        status=400 if request.method == "POST" else 200)


def _managed_check(request: HttpRequest, pk: int) -> Check:
    return get_object_or_404(access.scope(request.user, Check.objects.select_related("item")),
                             pk=pk)


def _act(request: HttpRequest, act: Callable[[], Any], done: str) -> None:
    """Run the action; its refusal, or ``done``, as the page's message."""
    try:
        act()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)


@cap_required(Cap.MANAGE_MONITORING)
@require_POST
def check_run(request: HttpRequest, pk: int) -> HttpResponse:
    check = _managed_check(request, pk)
    _act(request, lambda: actions.run_check_now(request.user, check, request=request),
         _("Check “%(name)s” runs within a few seconds.") % {"name": check})
    wanted = str(request.POST.get("next") or "")
    safe = url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure())
    return redirect(wanted if wanted and safe else _back(check))


@cap_required(Cap.MANAGE_MONITORING)
@require_POST
def check_delete(request: HttpRequest, pk: int) -> HttpResponse:
    check = _managed_check(request, pk)
    _act(request, lambda: actions.delete_check(request.user, check, request=request),
         _("Check “%(name)s” is deleted.") % {"name": check})
    return redirect(_back(check))
