"""The discovery page of a host: choose a method, see what differs, save chosen fields.

The values found are carried from the preview to "Save selected" in a signed token, so
what is saved is exactly what the user saw (and cannot be altered on the way)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from careops.cmdb import discovery
from careops.cmdb.actions import discovery as actions
from careops.cmdb.models import Host, SshHostKey
from careops.core import access
from careops.logic.discovery import METHODS, Facts

FACTS_SALT = "careops.cmdb.discovery"
FACTS_MAX_AGE = 3600  # seconds a preview stays savable


def sign_facts(host: Host, facts: Facts) -> str:
    return signing.dumps({"host": host.pk, "facts": facts.as_dict()}, salt=FACTS_SALT,
                         compress=True)


def unsign_facts(host: Host, token: str) -> Facts:
    try:
        data = signing.loads(token, salt=FACTS_SALT, max_age=FACTS_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(_("The discovered values are more than an hour old; "
                                "discover again.")) from None
    except signing.BadSignature:
        raise ValidationError(_("The discovered values were altered; discover again.")) \
            from None
    if data.get("host") != host.pk:
        raise ValidationError(_("The discovered values belong to another host."))
    return Facts.from_dict(data["facts"])


def host_page_url(host: Host) -> str | None:
    try:
        return host.get_absolute_url()
    except NoReverseMatch:  # the host page is not installed
        return None


def _host_for_change(request: HttpRequest, pk: int) -> Host:
    host = get_object_or_404(Host.objects.select_related("credential"), pk=pk)
    if not access.can_view(request.user, host):
        raise Http404
    if not access.can_change(request.user, host):
        raise PermissionDenied
    return host


def _context(host: Host) -> dict[str, Any]:
    try:
        endpoint = discovery.exporter_url(host)
    except discovery.DiscoveryError:
        endpoint = None
    return {
        "host": host,
        "host_url": host_page_url(host),
        "endpoint": endpoint,
        "ssh_address": f"{discovery.ssh_address(host)}:{host.ssh_port}",
        "credential": host.credential,
        "pinned": SshHostKey.objects.filter(host=host).first(),
        "method": "node_exporter" if endpoint or not host.credential else "ssh",
    }


@login_required
def host_discover(request: HttpRequest, pk: int) -> HttpResponse:
    host = _host_for_change(request, pk)
    context = _context(host)
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "forget":
            if actions.forget_host_key(request.user, host, request=request):
                messages.success(request, _("The pinned SSH host key of %(host)s was "
                                            "forgotten; the next SSH discovery pins the key it "
                                            "sees.") % {"host": host.code})
            return redirect("cmdb:host_discover", pk=host.pk)
        if step == "save":
            fields = request.POST.getlist("fields")
            try:
                facts = unsign_facts(host, request.POST.get("token", ""))
                context.update(facts=facts, rows=discovery.diff_rows(host, facts),
                               token=request.POST.get("token", ""), chosen=fields)
                actions.apply_discovery(request.user, host, facts, fields, request=request)
            except ValidationError as exc:
                context["error"] = " ".join(exc.messages)
            else:
                messages.success(request, _("Saved %(count)s discovered field(s) of "
                                            "%(host)s.") % {"count": len(fields),
                                                            "host": host.code})
                return redirect(context["host_url"] or reverse("cmdb:host_discover",
                                                               args=[host.pk]))
        else:
            method = request.POST.get("method", "")
            context["method"] = method
            if method not in METHODS:
                context["error"] = _("Choose how to discover: node_exporter or SSH.")
            else:
                try:
                    facts = discovery.discover(host, method, actor=request.user)
                except discovery.DiscoveryError as exc:
                    context["error"] = str(exc)
                else:
                    context.update(facts=facts, rows=discovery.diff_rows(host, facts),
                                   token=sign_facts(host, facts))
                context["pinned"] = SshHostKey.objects.filter(host=host).first()
    return render(request, "cmdb/host_discover.html", context)
