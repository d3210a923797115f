"""Template helpers of the user pages."""

from __future__ import annotations

from django import template

from careops.core.choices import Role

register = template.Library()


@register.filter
def role_colour(role: str) -> str:
    return Role.colour(role)
