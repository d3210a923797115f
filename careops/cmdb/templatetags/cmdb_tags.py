"""Template helpers of the CMDB pages."""

from __future__ import annotations

from typing import Any

from django import template

from careops.cmdb.views import common

register = template.Library()


@register.inclusion_tag("cmdb/_subnav.html", takes_context=True)
def cmdb_subnav(context: Any) -> dict[str, Any]:
    """The CMDB sub-navigation (overview, classes, installed tools, records)."""
    return common.subnav(context["request"])


@register.filter
def cmdb_url(obj: Any) -> str:
    """The CMDB page of an item or a plain record."""
    from careops.cmdb.views.display import url_for

    return url_for(obj) or ""
