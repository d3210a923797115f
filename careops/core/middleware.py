"""Gate for signed-in users who must act before using the platform.

- a password that expired or must be changed: only the password page;
- an administrator role without a second factor: only the enrolment page;
- a session started with a password alone while a second factor exists: logged out.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from careops.core.passwords import password_expired

ALWAYS_OPEN_PREFIXES = ("/static/", "/i18n/", "/api/")


class AccountGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        path = request.path
        if user is not None and user.is_authenticated and not path.startswith(ALWAYS_OPEN_PREFIXES):
            logout_url = reverse("core:logout")
            password_url = reverse("core:password_change")
            enrol_url = reverse("core:two_factor_setup")
            if path != logout_url:
                if password_expired(user):
                    if path != password_url:
                        return redirect(password_url)
                elif user.requires_two_factor and not user.is_verified() and path != enrol_url:
                    return redirect(enrol_url)
        return self.get_response(request)
