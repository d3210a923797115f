"""DRF permissions from careops.core.roles capabilities."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from careops.core.roles import Cap, has_cap


def cap_permission(*caps: Cap) -> type[BasePermission]:
    """A permission class granting access to holders of any of ``caps``."""

    class HasCap(BasePermission):
        def has_permission(self, request: Request, view: Any) -> bool:
            return any(has_cap(request.user, cap) for cap in caps)

    HasCap.__name__ = "HasCap_" + "_".join(caps)
    return HasCap
