"""Labels and formatting shared by the service-desk documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from careops.reports.render import Signatures

TARGET_LABELS: dict[str, Any] = {
    "respond": gettext_lazy("Respond"), "on_site": gettext_lazy("On site"),
    "restore": gettext_lazy("Restore"), "resolve": gettext_lazy("Resolve"),
    "report": gettext_lazy("Report"),
}
STATE_LABELS: dict[str, Any] = {
    "met": pgettext_lazy("sla clock", "Met"),
    "met_late": pgettext_lazy("sla clock", "Met late"),
    "breached": pgettext_lazy("sla clock", "Breached"),
    "running": pgettext_lazy("sla clock", "Running"),
    "paused": pgettext_lazy("sla clock", "Paused"),
    "pending": pgettext_lazy("sla clock", "Not started"),
    "waived": pgettext_lazy("sla clock", "Not needed"),
}


def when(value: dt.datetime | None) -> str:
    """An instant as local time (Asia/Shanghai by default), to the minute."""
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def person(user: Any) -> str:
    if user is None:
        return ""
    name = getattr(user, "name", "") or ""
    username = user.get_username()
    return f"{name} ({username})" if name and name != username else username


def target_label(name: str) -> str:
    return str(TARGET_LABELS.get(name, name))


def state_key(clock: Any) -> str:
    if clock.state == "breached" and clock.met_at is not None:
        return "met_late"
    return str(clock.state)


def state_label(clock: Any) -> str:
    return str(STATE_LABELS[state_key(clock)])


def page_label() -> str:
    return _("Page %(page)s of %(pages)s")


def footer(actor_name: str, now: dt.datetime) -> str:
    return _("Exported by %(user)s at %(at)s") % {"user": actor_name, "at": when(now)}


def signatures(note: str) -> Signatures:
    lines = [_("Signature:"), _("Date:      year      month      day")]
    return Signatures(
        boxes=[(_("Vendor engineer"), lines), (_("Hospital confirmation"), lines)],
        note=note, seal=_("(Seal)"))
