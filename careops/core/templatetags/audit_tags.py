"""Template helpers of the audit pages: badge colours and readable values."""

from __future__ import annotations

import json
from typing import Any

from django import template

from careops.core.choices import AUDIT_ACTION_COLOURS, AUDIT_RESULT_COLOURS

register = template.Library()


@register.filter
def action_colour(action: str) -> str:
    return str(AUDIT_ACTION_COLOURS.get(action, "secondary"))  # type: ignore[call-overload]


@register.filter
def result_colour(result: str) -> str:
    return str(AUDIT_RESULT_COLOURS.get(result, "secondary"))  # type: ignore[call-overload]


@register.filter
def audit_value(value: Any) -> str:
    """A before/after value as text: JSON for structures, an empty mark for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
