"""/api/v1/channels/: notification channels (Cap.MANAGE_CHANNELS).

Writes go through ``careops.core.actions.notifications``. ``config`` holds the
settings of the channel's kind; ``secrets`` is write-only (an empty or missing value
keeps the stored one) and reads back as ``secrets_set`` with masked hints.
Errors name the field: ``config.port``, ``secrets.webhook_url``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from careops.core import channel_fields
from careops.core.actions import notifications as actions
from careops.core.api.permissions import cap_permission
from careops.core.choices import NotificationKind
from careops.core.models.notifications import Channel, DeliveryAttempt, Notification
from careops.core.roles import Cap


class DeliveryAttemptSerializer(serializers.ModelSerializer[DeliveryAttempt]):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "at", "duration_ms", "outcome", "response_code",
                  "response_summary", "error"]


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    attempts_log = DeliveryAttemptSerializer(source="delivery_attempts", many=True,
                                             read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "channel", "event", "title", "text", "severity", "link", "created_at",
                  "status", "attempts", "next_attempt_at", "sent_at", "last_error",
                  "attempts_log"]


class ChannelSerializer(serializers.ModelSerializer[Channel]):
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    config = serializers.DictField(required=False, default=dict)
    secrets = serializers.DictField(child=serializers.CharField(allow_blank=True),
                                    write_only=True, required=False, default=dict)
    secrets_set = serializers.SerializerMethodField()

    class Meta:
        model = Channel
        fields = ["id", "name", "kind", "enabled", "config", "secrets", "secrets_set",
                  "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs: dict[str, Any] = {"name": {"validators": []}}  # the action checks uniqueness

    def get_secrets_set(self, channel: Channel) -> dict[str, str]:
        return channel_fields.masked_secrets(channel)


def _values(data: dict[str, Any], kind: str) -> dict[str, Any]:
    config = dict(data.get("config") or {})
    secrets = dict(data.get("secrets") or {})
    secret_names = {f.name for f in channel_fields.secret_fields(kind)}
    errors = {f"secrets.{k}": ["Unknown secret for this kind of channel."]
              for k in secrets if k not in secret_names}
    errors.update({f"config.{k}": ["This is a secret: send it in secrets."]
                   for k in config if k in secret_names})
    if errors:
        raise ValidationError(errors)
    return {**config, **secrets}


def _named(exc: DjangoValidationError, kind: str) -> ValidationError:
    secret_names = {f.name for f in channel_fields.secret_fields(kind)}
    fields: dict[str, Any] = {}
    for name, messages in exc.message_dict.items():
        if name in ("name", "kind", "enabled"):
            key = name
        elif name in secret_names:
            key = f"secrets.{name}"
        else:
            key = f"config.{name}"
        fields[key] = messages
    return ValidationError(fields)


class ChannelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet[Channel]):
    serializer_class = ChannelSerializer
    permission_classes = [permissions.IsAuthenticated, cap_permission(Cap.MANAGE_CHANNELS)]
    queryset = Channel.objects.select_related("secret", "signing_secret").order_by("name")
    filterset_fields = ["kind", "enabled"]

    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            channel = actions.create_channel(
                request.user, name=data["name"], kind=data["kind"],
                enabled=data.get("enabled", True), values=_values(data, data["kind"]),
                request=request._request)
        except DjangoValidationError as exc:
            raise _named(exc, data["kind"]) from None
        return Response(self.get_serializer(channel).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: Any = None, partial: bool = False) -> Response:
        channel = self.get_object()
        serializer = self.get_serializer(channel, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            channel = actions.update_channel(
                request.user, channel, name=data.get("name"), enabled=data.get("enabled"),
                kind=data.get("kind"), values=_values(data, channel.kind),
                request=request._request)
        except DjangoValidationError as exc:
            raise _named(exc, channel.kind) from None
        return Response(self.get_serializer(channel).data)

    def partial_update(self, request: Request, pk: Any = None) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: Any = None) -> Response:
        actions.delete_channel(request.user, self.get_object(), request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: Any = None) -> Response:
        """Queue a test message. Its result appears in ``notifications`` once the worker ran."""
        notification = actions.send_test(request.user, self.get_object(),
                                         request=request._request)
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data,
                        status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=NotificationSerializer(many=True))
    @action(detail=True, methods=["get"])
    def notifications(self, request: Request, pk: Any = None) -> Response:
        """The channel's delivery log, newest first, with every attempt."""
        queryset = self.get_object().notifications.prefetch_related("delivery_attempts")
        page = self.paginate_queryset(queryset)  # type: ignore[arg-type]
        return self.get_paginated_response(
            NotificationSerializer(page, many=True).data)  # type: ignore[arg-type]
