"""``{% load cmdb_discovery %}``: whether to offer discovery for an item."""

from __future__ import annotations

from typing import Any

from django import template

from careops.cmdb.choices import ItemKind
from careops.core import access

register = template.Library()


@register.filter
def may_discover(user: Any, item: Any) -> bool:
    """Hosts whose record ``user`` may change."""
    if getattr(item, "kind", None) != ItemKind.HOST or not getattr(user, "is_authenticated",
                                                                    False):
        return False
    return access.can_change(user, item)
