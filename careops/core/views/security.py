"""The security administrator's pages: lockouts, a user's login security, secrets."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from careops.core import lockouts, secrets, twofactor
from careops.core.actions import security as actions
from careops.core.forms.security import SecretForm, UnlockForm
from careops.core.models.secrets import Secret
from careops.core.roles import Cap
from careops.core.views.decorators import cap_required


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


# --- lockouts -----------------------------------------------------------------------


@cap_required(Cap.MANAGE_SECURITY)
def lockout_list(request: HttpRequest) -> HttpResponse:
    locked_accounts = lockouts.current_lockouts("username")
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=[lock.value for lock in locked_accounts])}
    return render(request, "core/security/lockouts.html", {
        "accounts": [(lock, users.get(lock.value)) for lock in locked_accounts],
        "addresses": lockouts.current_lockouts("ip_address"),
        "limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "form": UnlockForm(),
    })


@require_POST
@cap_required(Cap.MANAGE_SECURITY)
def lockout_unlock(request: HttpRequest) -> HttpResponse:
    form = UnlockForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(request, "core:lockout_list")
    username = form.cleaned_data["username"] or None
    ip = form.cleaned_data["ip_address"] or None
    try:
        actions.unlock(request.user, username=username, ip=ip, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Unlocked %(what)s.") % {
            "what": " / ".join(v for v in (username, ip) if v)})
    return _back(request, "core:lockout_list")


# --- one user's login security --------------------------------------------------


@cap_required(Cap.MANAGE_SECURITY)
def security_user(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(get_user_model(), pk=pk)
    recent_addresses = (AccessAttempt.objects.filter(username=account.username)
                        .values_list("ip_address", flat=True).distinct())
    return render(request, "core/security/user.html", {
        "account": account,
        "lockout": lockouts.lockout_of("username", account.username),
        "failures": lockouts.recent_failures(account.username),
        "addresses": sorted({a for a in recent_addresses if a}),
        "has_two_factor": twofactor.has_two_factor(account),
        "device": twofactor.totp_device(account),
        "recovery_codes_left": twofactor.recovery_codes_left(account),
        "has_token": Token.objects.filter(user=account).exists(),
        "is_self": account.pk == request.user.pk,
        "limit": settings.AXES_FAILURE_LIMIT,
    })


@require_POST
@cap_required(Cap.MANAGE_SECURITY)
def security_user_reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(get_user_model(), pk=pk)
    if account.pk == request.user.pk:
        raise PermissionDenied
    actions.reset_two_factor(request.user, account, request)
    messages.success(request, _("Two-factor login of %(user)s has been reset.") % {
        "user": account})
    return redirect("core:security_user", pk=account.pk)


# --- secret store -------------------------------------------------------------------


@cap_required(Cap.MANAGE_SECRETS)
def secret_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/secrets/list.html",
                  {"secrets": Secret.objects.select_related("created_by")})


def _save_secret(request: HttpRequest, form: SecretForm) -> Secret:
    data = form.cleaned_data
    return secrets.set_secret(
        form.instance.name if form.instance.pk else data["name"], data["secret_value"],
        kind=data["kind"], username=data["username"], description=data["description"],
        actor=request.user, request=request)


@sensitive_post_parameters("value", "value_text")
@cap_required(Cap.MANAGE_SECRETS)
def secret_create(request: HttpRequest) -> HttpResponse:
    form = SecretForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        secret = _save_secret(request, form)
        messages.success(request, _("Secret %(name)s saved.") % {"name": secret.name})
        return redirect("core:secret_list")
    return render(request, "core/secrets/form.html", {"form": form, "secret": None})


@sensitive_post_parameters("value", "value_text")
@cap_required(Cap.MANAGE_SECRETS)
def secret_replace(request: HttpRequest, pk: int) -> HttpResponse:
    secret = get_object_or_404(Secret, pk=pk)
    form = SecretForm(request.POST or None, instance=secret)
    if request.method == "POST" and form.is_valid():
        _save_secret(request, form)
        messages.success(request, _("Secret %(name)s replaced.") % {"name": secret.name})
        return redirect("core:secret_list")
    return render(request, "core/secrets/form.html", {"form": form, "secret": secret})


@require_POST
@cap_required(Cap.MANAGE_SECRETS)
def secret_delete(request: HttpRequest, pk: int) -> HttpResponse:
    secret = get_object_or_404(Secret, pk=pk)
    name = secret.name
    secrets.delete_secret(secret, actor=request.user, request=request)
    messages.success(request, _("Secret %(name)s deleted.") % {"name": name})
    return redirect("core:secret_list")
