"""Links to item pages, built once per request rather than reversed per item."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import NoReverseMatch, reverse

_SENTINEL = 987654321


def item_url_maker() -> Callable[[int], str | None]:
    """A function pk -> the URL of the item's detail page (``cmdb:item_detail``), or
    ``None`` for every pk when that page is not installed."""
    try:
        pattern = reverse("cmdb:item_detail", args=[_SENTINEL])
    except NoReverseMatch:
        return lambda pk: None
    head, _, tail = pattern.partition(str(_SENTINEL))
    return lambda pk: f"{head}{pk}{tail}"
