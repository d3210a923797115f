"""Labels and formatting shared by the service-desk documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from careops.reports.render import Signatures


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



def page_label() -> str:
    return _("Page %(page)s of %(pages)s")


def footer(actor_name: str, now: dt.datetime) -> str:
    return _("Exported by %(user)s at %(at)s") % {"user": actor_name, "at": when(now)}


def signatures(note: str) -> Signatures:
    lines = [_("Signature:"), _("Date:      year      month      day")]
    return Signatures(
        boxes=[(_("Vendor engineer"), lines), (_("Hospital confirmation"), lines)],
        note=note, seal=_("(Seal)"))
