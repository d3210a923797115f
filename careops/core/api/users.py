"""API of user accounts: list, retrieve, create and update through the actions.

There is no DELETE (405): accounts are deactivated, never deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from careops.core.actions import users as actions
from careops.core.api.permissions import cap_permission
from careops.core.choices import Role
from careops.core.filtersets import UserFilterSet
from careops.core.models import User
from careops.core.roles import Cap


class UserSerializer(serializers.ModelSerializer[User]):
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "email", "phone", "role", "role_display",
                  "is_active", "must_change_password", "last_login", "date_joined"]
        read_only_fields = ["id", "username", "must_change_password", "last_login",
                            "date_joined"]


class UserCreateSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")

    def validate_role(self, value: str) -> str:
        if value not in actions.grantable_roles(self.context["request"].user):
            raise serializers.ValidationError(
                _("This role is granted by the security administrator; create the account "
                  "with an ordinary role first."))
        return value


class UserUpdateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    role = serializers.ChoiceField(choices=Role.choices, required=False)


@contextmanager
def _denied_with_reason() -> Iterator[None]:
    """The actions' PermissionDenied, with its message, as a 403 of the API."""
    try:
        yield
    except PermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc


class UserViewSet(viewsets.ModelViewSet[User]):
    """User accounts. ``POST`` answers once with ``initial_password``."""

    queryset = User.objects.order_by("username")
    serializer_class = UserSerializer
    permission_classes = [cap_permission(Cap.MANAGE_USERS, Cap.ASSIGN_ROLES)]
    filterset_class = UserFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = UserCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        with _denied_with_reason():
            result = actions.create_user(request.user, request=request, **data.validated_data)
        body = dict(UserSerializer(result.user).data)
        body["initial_password"] = result.password
        return Response(body, status=status.HTTP_201_CREATED,
                        headers={"Cache-Control": "no-store"})

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        account = self.get_object()
        data = UserUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        role = values.pop("role", None)
        with _denied_with_reason():
            if values:
                account = actions.update_user(request.user, account, request=request, **values)
            if role is not None and role != account.role:
                account = actions.set_role(request.user, account, role, request=request)
        return Response(UserSerializer(account).data)
