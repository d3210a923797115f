"""Gate for signed-in users who must act before using the platform.

In this order:
- a session that passed the password alone while the user has an authenticator
  (e.g. one started before the authenticator was added elsewhere): logged out;
- a password that expired or must be changed: only the password page;
- an administrator role without a second factor: only the enrolment page.
Logging out, static files and the language switch stay open. Session-authenticated
API calls get the API's JSON error (403) instead of a redirect; token-authenticated
API calls are not session users and are not gated here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from careops.core.passwords import password_expired
from careops.core.twofactor import has_two_factor

ALWAYS_OPEN_PREFIXES = ("/static/", "/i18n/")
API_PREFIX = "/api/"


class AccountGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated
                and not request.path.startswith(ALWAYS_OPEN_PREFIXES)):
            blocked = self.gate(request, user)
            if blocked is not None:
                return blocked
        return self.get_response(request)

    def gate(self, request: HttpRequest, user: object) -> HttpResponse | None:
        path = request.path
        if path == reverse("core:logout"):
            return None
        verified = user.is_verified()  # type: ignore[attr-defined]
        if not verified and has_two_factor(user):
            logout(request)
            return self._refuse(request, reverse("core:login"), "login_required",
                                _("Log in again with your second factor."))
        if password_expired(user):
            target = reverse("core:password_change")
            if path != target:
                return self._refuse(request, target, "password_expired",
                                    _("Your password has expired; change it first."))
        elif user.requires_two_factor and not verified:  # type: ignore[attr-defined]
            target = reverse("core:two_factor_setup")
            if path != target:
                return self._refuse(request, target, "two_factor_required",
                                    _("Your role requires two-factor login; set it up first."))
        return None

    @staticmethod
    def _refuse(request: HttpRequest, target: str, code: str, message: str) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"error": {"status": 403, "code": code, "message": message}},
                                status=403)
        return redirect(target)


class LanguageMiddleware:
    """The configured language (CAREOPS_LANGUAGE, Chinese by default) unless the user
    chose another with the language switch (kept in the language cookie).

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is not consulted:
    a hospital sets the platform's language once, and an English-language browser on
    a ward PC must not turn the interface English behind the staff's back.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        from django.utils.cache import patch_vary_headers

        patch_vary_headers(response, ("Cookie",))
        return response
