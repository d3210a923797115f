"""The UI shell: navigation limited to the modules that exist and the user may use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from careops.core.roles import Cap, capabilities

# (title, url name, capability needed or None for every signed-in user)
NAVIGATION: list[tuple[Any, str, Cap | None]] = [
    (_("Home"), "core:home", None),
    (_("Tickets"), "servicedesk:queue", Cap.VIEW_OPERATIONS),
    (_("Configuration (CMDB)"), "cmdb:index", Cap.VIEW_OPERATIONS),
    (_("Contracts"), "contracts:list", Cap.VIEW_OPERATIONS),
    (_("Obligations"), "contracts:obligation_list", Cap.VIEW_OPERATIONS),
    (_("System health"), "monitoring:overview", Cap.VIEW_OPERATIONS),
    (_("Monitoring alerts"), "monitoring:alert_list", Cap.VIEW_OPERATIONS),
    (_("Teams"), "servicedesk:team_list", Cap.APPROVE),
    (_("Calendars"), "core:calendar_list", Cap.MANAGE_CALENDARS),
    (_("Notification channels"), "core:channel_list", Cap.MANAGE_CHANNELS),
    (_("Mailboxes"), "servicedesk:mailbox_list", Cap.MANAGE_CHANNELS),
    (_("Users"), "core:user_list", Cap.MANAGE_USERS),
    (_("Users"), "core:user_list", Cap.ASSIGN_ROLES),
    (_("Secrets"), "core:secret_list", Cap.MANAGE_SECRETS),
    (_("Lockouts"), "core:lockout_list", Cap.MANAGE_SECURITY),
    (_("Audit log"), "core:audit_list", Cap.VIEW_AUDIT),
]


def navigation(user: Any) -> list[dict[str, Any]]:
    from django.urls import NoReverseMatch

    caps = capabilities(user)
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for title, url_name, cap in NAVIGATION:
        if url_name in seen or (cap is not None and cap not in caps):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:  # the module's pages are not installed
            continue
        seen.add(url_name)
        items.append({"title": title, "url": url, "name": url_name})
    return items


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = navigation(user)
    # The section of the current page: the longest menu URL the path starts with.
    section = max((i["url"] for i in items if request.path.startswith(i["url"])), key=len,
                  default=None)
    for item in items:
        item["active"] = item["url"] == section
    return {"nav_items": items}
