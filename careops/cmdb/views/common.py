"""Access helpers and the CMDB sub-navigation shared by every CMDB page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from careops.cmdb.models import ConfigItem
from careops.core import access
from careops.core.roles import Cap, has_cap


def require_view(request: HttpRequest) -> None:
    """CMDB pages are for holders of VIEW_OPERATIONS; platform administrators get 403."""
    if not has_cap(request.user, Cap.VIEW_OPERATIONS):
        raise PermissionDenied


def require_manage(request: HttpRequest) -> None:
    if not has_cap(request.user, Cap.MANAGE_ITEMS):
        raise PermissionDenied


def records_visible(request: HttpRequest) -> bool:
    """Sites, departments, vendors and contacts are shown to the roles that see every
    system (their lists name every department and vendor of the hospital)."""
    cached = getattr(request, "_cmdb_records_visible", None)
    if cached is None:
        cached = (has_cap(request.user, Cap.VIEW_OPERATIONS)
                  and access.visible_system_ids(request.user) is None)
        request._cmdb_records_visible = cached  # type: ignore[attr-defined]
    return bool(cached)


def require_records(request: HttpRequest) -> None:
    if not records_visible(request):
        raise PermissionDenied


def visible_item(request: HttpRequest, pk: int) -> ConfigItem:
    """The item (its own class) if the user may see it; 404 otherwise (never 403: a
    refusal would tell that the item exists)."""
    from careops.cmdb.views.registry import BY_KIND

    kind = access.scope(request.user, ConfigItem.objects.filter(pk=pk)).values_list(
        "kind", flat=True).first()
    if kind is None:
        raise Http404
    item: ConfigItem = BY_KIND[kind].queryset().get(pk=pk)
    return item


# (title, url name, args) of the tools other parts of the CMDB provide; shown when installed.
TOOLS: list[tuple[Any, str]] = [
    (_("Topology"), "cmdb:topology"),
    (_("Locations"), "cmdb:locations"),
    (_("Import"), "cmdb:import"),
]


def _url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def subnav(request: HttpRequest) -> dict[str, Any]:
    """The CMDB sub-navigation: overview, the classes, the tools that exist, records."""
    from careops.cmdb.views.registry import ITEMS, RECORDS

    path = request.path

    def entry(title: Any, url: str | None) -> dict[str, Any] | None:
        if url is None:
            return None
        index = url == reverse("cmdb:index")
        active = path == url if index else path.startswith(url)
        return {"title": title, "url": url, "active": active}

    classes = [entry(e.title, _url("cmdb:item_list", e.slug)) for e in ITEMS]
    tools = [entry(title, _url(name)) for title, name in TOOLS]
    records = ([entry(e.title, _url("cmdb:record_list", e.slug)) for e in RECORDS]
               if records_visible(request) else [])
    return {
        "overview": entry(_("Overview"), reverse("cmdb:index")),
        "classes": [c for c in classes if c],
        "tools": [t for t in tools if t],
        "records": [r for r in records if r],
        "records_active": any(r and r["active"] for r in records),
    }
