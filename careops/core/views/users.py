"""User and role pages. Every change goes through careops.core.actions.users."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from careops.core.actions import users as actions
from careops.core.choices import Role
from careops.core.filtersets import UserFilterSet
from careops.core.forms.users import RoleForm, UserCreateForm, UserProfileForm
from careops.core.models import AuditRecord, User
from careops.core.roles import CAP_LABELS, CAPABILITIES, ROLE_DESCRIPTIONS, Cap, has_cap
from careops.core.views.decorators import cap_required

PAGE_SIZE = 50
RECENT_AUDIT = 20


def _form_error(form: Any, exc: ValidationError | PermissionDenied, field: str | None) -> None:
    if isinstance(exc, ValidationError):
        form.add_error(None, exc)  # a dict of field errors lands on the fields
    else:
        form.add_error(field, str(exc))


def _password_page(request: HttpRequest, result: actions.NewPassword,
                   created: bool) -> HttpResponse:
    response = render(request, "core/user_password.html",
                      {"account": result.user, "password": result.password, "created": created})
    response["Cache-Control"] = "no-store"
    return response


@cap_required(Cap.MANAGE_USERS, Cap.ASSIGN_ROLES)
def user_list(request: HttpRequest) -> HttpResponse:
    filterset = UserFilterSet(request.GET or None, queryset=User.objects.order_by("username"))
    users = filterset.qs if filterset.is_bound else filterset.queryset
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/user_list.html", {
        "filter": filterset, "page_obj": page,
        "can_create": has_cap(request.user, Cap.MANAGE_USERS),
    })


@never_cache
@cap_required(Cap.MANAGE_USERS)
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            result = actions.create_user(request.user, request=request, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc, "role")
        else:
            return _password_page(request, result, created=True)
    return render(request, "core/user_create.html", {"form": form})


@cap_required(Cap.MANAGE_USERS, Cap.ASSIGN_ROLES)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User, pk=pk)
    actor = request.user
    profile_form = role_form = None
    if actions.may_edit(actor, account):
        profile_form = UserProfileForm(
            request.POST if request.method == "POST" and "profile" in request.POST else None,
            initial={"name": account.name, "phone": account.phone, "email": account.email})
    if actions.may_set_role(actor, account):
        role_form = RoleForm(
            request.POST if request.method == "POST" and "role" in request.POST else None,
            initial={"role": account.role})
    if request.method == "POST":
        form = profile_form if "profile" in request.POST else role_form
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                if form is profile_form:
                    actions.update_user(actor, account, request=request, **form.cleaned_data)
                    messages.success(request, _("The account was saved."))
                else:
                    actions.set_role(actor, account, form.cleaned_data["role"], request=request)
                    messages.success(request, _("The role was changed."))
            except (ValidationError, PermissionDenied) as exc:
                _form_error(form, exc, "role" if form is role_form else None)
            else:
                return redirect("core:user_detail", pk=account.pk)
    recent = None
    if has_cap(actor, Cap.VIEW_AUDIT):
        recent = AuditRecord.objects.filter(
            Q(object_type="core.user", object_id=str(account.pk)) | Q(actor_id=account.pk)
        ).order_by("-id")[:RECENT_AUDIT]
    return render(request, "core/user_detail.html", {
        "account": account, "profile_form": profile_form, "role_form": role_form,
        "may_look_after": actions.may_look_after(actor, account),
        "security_url": reverse("core:security_user", args=[account.pk]),
        "recent": recent, "is_self": account.pk == actor.pk,
    })


@require_POST
@cap_required(Cap.MANAGE_USERS, Cap.MANAGE_SECURITY)
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        actions.update_user(request.user, account, is_active=active, request=request)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("core:user_detail", pk=account.pk)
    messages.success(request, _("The account was activated.") if active
                     else _("The account was deactivated: it can no longer log in."))
    return redirect("core:user_detail", pk=account.pk)


@never_cache
@require_POST
@cap_required(Cap.MANAGE_USERS, Cap.MANAGE_SECURITY)
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User, pk=pk)
    try:
        result = actions.reset_password(request.user, account, request=request)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("core:user_detail", pk=account.pk)
    return _password_page(request, result, created=False)


@cap_required(Cap.MANAGE_USERS, Cap.ASSIGN_ROLES, Cap.VIEW_AUDIT)
def role_list(request: HttpRequest) -> HttpResponse:
    counts = dict(User.objects.filter(is_active=True).values_list("role")
                  .annotate(n=Count("id")).values_list("role", "n"))
    roles = [{"value": value, "label": label, "colour": Role.colour(value),
              "description": ROLE_DESCRIPTIONS.get(value, ""), "users": counts.get(value, 0)}
             for value, label in Role.choices]
    matrix = [{"label": CAP_LABELS[cap], "code": cap.value,
               "cells": [cap in CAPABILITIES.get(role["value"], frozenset()) for role in roles]}
              for cap in Cap]
    return render(request, "core/role_list.html", {"roles": roles, "matrix": matrix})
