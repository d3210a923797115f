"""A user's own account: profile, password, second factor, API token."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from careops.core import twofactor
from careops.core.actions import security as actions
from careops.core.forms.security import CodeForm, ConfirmPasswordForm, PasswordChangeForm
from careops.core.passwords import password_expired


def _password_expires_at(user: Any) -> dt.datetime | None:
    changed: dt.datetime | None = user.password_changed_at
    if settings.PASSWORD_EXPIRY_DAYS == 0 or changed is None:
        return None
    return changed + dt.timedelta(days=settings.PASSWORD_EXPIRY_DAYS)


@login_required
@never_cache
def profile(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    token = Token.objects.filter(user=user).first()
    return render(request, "core/account/profile.html", {
        "account": user,
        "password_expires_at": _password_expires_at(user),
        "has_two_factor": twofactor.has_two_factor(user),
        "recovery_codes_left": twofactor.recovery_codes_left(user),
        "token_created": token.created if token else None,
    })


@sensitive_post_parameters("old_password", "new_password", "new_password_again")
@login_required
@never_cache
def password_change(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_password(user, form.cleaned_data["old_password"],
                                    form.cleaned_data["new_password"], request)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Your password has been changed."))
            return redirect("core:profile")
    return render(request, "core/account/password_change.html", {
        "form": form,
        "forced": password_expired(user),
        "must_change": user.must_change_password,
    })


@sensitive_post_parameters("code")
@login_required
@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if twofactor.has_two_factor(user):
        return render(request, "core/account/two_factor.html", {
            "device": twofactor.totp_device(user),
            "recovery_codes_left": twofactor.recovery_codes_left(user),
            "password_form": ConfirmPasswordForm(user=user),
            "disable_form": ConfirmPasswordForm(user=user, auto_id="disable_%s"),
            "may_disable": not user.requires_two_factor,
        })
    device = actions.start_two_factor(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = actions.confirm_two_factor(user, device, form.cleaned_data["code"], request)
        except ValidationError as exc:
            for error in exc.message_dict.get("code", exc.messages):
                form.add_error("code", error)
        else:
            django_otp.login(request, device)
            return render(request, "core/account/recovery_codes.html",
                          {"codes": codes, "first_time": True})
    return render(request, "core/account/two_factor_setup.html", {
        "form": form,
        "qr_svg": twofactor.qr_svg(device.config_url),
        "key": twofactor.base32_key(device),
        "required": user.requires_two_factor,
    })


def _confirmed_password(request: HttpRequest) -> bool:
    form = ConfirmPasswordForm(request.POST, user=request.user)
    if form.is_valid():
        return True
    messages.error(request, _("The password is not correct; nothing was changed."))
    return False


@sensitive_post_parameters("password")
@require_POST
@login_required
@never_cache
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    if not _confirmed_password(request):
        return redirect("core:two_factor_setup")
    try:
        codes = actions.regenerate_recovery_codes(request.user, request)
    except ValidationError:
        return redirect("core:two_factor_setup")
    return render(request, "core/account/recovery_codes.html",
                  {"codes": codes, "first_time": False})


@sensitive_post_parameters("password")
@require_POST
@login_required
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "requires_two_factor", True):
        raise PermissionDenied
    if _confirmed_password(request):
        actions.disable_two_factor(request.user, request)
        messages.success(request, _("Two-factor login is turned off."))
    return redirect("core:two_factor_setup")


@require_POST
@login_required
@never_cache
def api_token_create(request: HttpRequest) -> HttpResponse:
    key = actions.create_api_token(request.user, request)
    return render(request, "core/account/api_token.html", {"key": key})


@require_POST
@login_required
def api_token_revoke(request: HttpRequest) -> HttpResponse:
    if actions.revoke_api_token(request.user, request):
        messages.success(request, _("Your API token has been revoked."))
    return redirect("core:profile")
