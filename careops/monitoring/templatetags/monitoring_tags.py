"""``{% item_metrics_card obj %}``: the Metrics card of a CMDB item page, shown when the
item has checks or stored series (the CMDB page has already checked access)."""

from __future__ import annotations

from typing import Any

from django import template

from careops.monitoring.choices import CHECK_STATUS_COLOURS

register = template.Library()


@register.inclusion_tag("monitoring/_item_card.html")
def item_metrics_card(item: Any) -> dict[str, Any]:
    from careops.monitoring.models import Check, Series
    from careops.monitoring.storage import status

    checks = list(Check.objects.filter(item_id=item.pk).order_by("kind", "target"))
    for check in checks:
        check.colour = CHECK_STATUS_COLOURS.get(check.last_status, "secondary")  # type: ignore[attr-defined]
    shown = bool(checks) or Series.objects.filter(item_id=item.pk).exists()
    return {"item": item, "checks": checks, "shown": shown, "store": status.current()}
