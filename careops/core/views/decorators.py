"""Access decorators for views: rights come only from careops.core.roles."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from careops.core.roles import Cap, has_cap

View = Callable[..., HttpResponseBase]


def cap_required(*caps: Cap) -> Callable[[View], View]:
    """Signed-in users holding at least one of ``caps``; others get 403."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not any(has_cap(request.user, cap) for cap in caps):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator
