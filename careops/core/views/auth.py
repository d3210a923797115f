"""Login in two steps (GB/T 22239-2019 8.1.4.1): password, then the second factor.

Step 1 (:func:`login_view`) checks the password through ``authenticate()`` so django-axes
counts failures and refuses locked accounts and addresses. A user with an authenticator
is not logged in yet: the session only remembers who passed the password, for
``LOGIN_SECOND_FACTOR_MINUTES``. Step 2 (:func:`login_verify`) takes a TOTP or recovery
code; a wrong code is audited and counts toward the same lockout.
"""

from __future__ import annotations

from typing import Any

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from careops.core import audit, twofactor
from careops.core.choices import AuditAction, AuditResult
from careops.core.forms.security import CodeForm, LoginForm
from careops.core.signals import SECOND_FACTOR_SENDER

PENDING_KEY = "careops_pending_login"


def lockout_response(request: HttpRequest, credentials: Any = None, *args: Any,
                     **kwargs: Any) -> HttpResponse:
    """What a locked-out account or address sees (django-axes calls this)."""
    request.session.pop(PENDING_KEY, None)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "core/locked_out.html", {"minutes": minutes}, status=403)


def _next_url(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_authenticated:
        return redirect(_next_url(request, next_url))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"],
                            password=form.cleaned_data["password"])
        if user is None:
            # A lockout is turned into the lockout page by axes' middleware.
            form.add_error(None, _("The user name or password is not correct."))
        elif twofactor.has_two_factor(user):
            request.session.cycle_key()
            request.session[PENDING_KEY] = {
                "user_id": user.pk, "backend": user.backend, "at": timezone.now().timestamp(),
                "next": next_url,
            }
            return redirect("core:login_verify")
        else:
            login(request, user)
            return redirect(_next_url(request, next_url))
    return render(request, "core/account/login.html", {
        "form": form, "next": next_url, "lockout_limit": settings.AXES_FAILURE_LIMIT})


def _pending_user(request: HttpRequest) -> tuple[Any, dict[str, Any]] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    age = timezone.now().timestamp() - float(pending.get("at", 0))
    if age > settings.LOGIN_SECOND_FACTOR_MINUTES * 60 or age < 0:
        del request.session[PENDING_KEY]
        return None
    user = get_user_model().objects.filter(pk=int(pending.get("user_id") or 0),
                                           is_active=True).first()
    if user is None:
        del request.session[PENDING_KEY]
        return None
    return user, pending


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_verify(request: HttpRequest) -> HttpResponse:
    found = _pending_user(request)
    if found is None:
        messages.warning(request, _("Your login has expired. Enter your password again."))
        return redirect("core:login")
    user, pending = found
    credentials = {"username": user.get_username()}
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not AxesProxyHandler.is_allowed(request, credentials):
            return lockout_response(request)
        device, kind = twofactor.verify_second_factor(user, form.cleaned_data["code"])
        if device is not None:
            del request.session[PENDING_KEY]
            login(request, user, backend=pending["backend"])
            django_otp.login(request, device)
            if kind == "recovery":
                left = twofactor.recovery_codes_left(user)
                audit.record(AuditAction.TWO_FACTOR, actor=user, request=request, obj=user,
                             detail={"operation": "recovery code used", "left": left})
                messages.warning(request, _(
                    "You logged in with a recovery code; %(left)d are left. Generate new "
                    "ones or set up your authenticator again if you lost it.") % {"left": left})
            return redirect(_next_url(request, pending.get("next")))
        audit.record(AuditAction.OTP_FAILED, request=request, username=user.get_username(),
                     obj=user, result=AuditResult.FAILURE, detail={"code_kind": kind})
        user_login_failed.send(sender=SECOND_FACTOR_SENDER, credentials=credentials,
                               request=request)
        if twofactor.throttled(twofactor.totp_device(user) if kind == "totp"
                               else twofactor.recovery_device(user)):
            form.add_error("code", _("The code is not correct. Wait a few seconds before "
                                     "the next try."))
        else:
            form.add_error("code", _("The code is not correct."))
    return render(request, "core/account/login_verify.html", {"form": form, "pending": user})
