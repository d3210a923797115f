"""Pages of the notification channels (Cap.MANAGE_CHANNELS). Thin: the actions decide."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careops.core import channel_fields
from careops.core.actions import notifications as actions
from careops.core.choices import DeliveryOutcome, NotificationKind
from careops.core.forms.notifications import ChannelForm
from careops.core.models.notifications import Channel, DeliveryAttempt, Notification
from careops.core.roles import Cap
from careops.core.views.decorators import cap_required


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@cap_required(Cap.MANAGE_CHANNELS)
def channel_list(request: HttpRequest) -> HttpResponse:
    last = DeliveryAttempt.objects.filter(notification__channel=OuterRef("pk")).order_by(
        "-at", "-id")
    channels = Channel.objects.select_related("secret", "signing_secret").annotate(
        last_outcome=Subquery(last.values("outcome")[:1]),
        last_at=Subquery(last.values("at")[:1]),
        last_error=Subquery(last.values("error")[:1]),
    )
    rows = list(channels)
    for channel in rows:
        outcome = getattr(channel, "last_outcome", None)
        channel.last_label = DeliveryOutcome(outcome).label if outcome else ""  # type: ignore[attr-defined]
        channel.last_colour = DeliveryOutcome.colour(outcome or "")  # type: ignore[attr-defined]
    return render(request, "core/channel_list.html", {"channels": rows})


def _kind_from(request: HttpRequest) -> str:
    kind = request.POST.get("kind") if request.method == "POST" else request.GET.get("kind")
    return kind if kind in NotificationKind.values else ""


@cap_required(Cap.MANAGE_CHANNELS)
def channel_create(request: HttpRequest) -> HttpResponse:
    kind = _kind_from(request)
    form = None
    if kind:
        form = ChannelForm(request.POST if request.method == "POST" else None, kind=kind)
        if request.method == "POST" and form.is_valid():
            try:
                channel = actions.create_channel(
                    request.user, name=form.cleaned_data["name"], kind=kind,
                    enabled=form.cleaned_data["enabled"], values=form.values(),
                    request=request)
            except ValidationError as exc:
                form.apply_errors(exc.message_dict)
            else:
                messages.success(request, _("Channel %(name)s created. Send a test to check "
                                            "it.") % {"name": channel.name})
                return redirect("core:channel_detail", pk=channel.pk)
    return render(request, "core/channel_form.html", {
        "form": form, "kind": kind, "kinds": NotificationKind.choices, "channel": None})


@cap_required(Cap.MANAGE_CHANNELS)
def channel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.select_related("secret", "signing_secret"),
                                pk=pk)
    form = ChannelForm(request.POST if request.method == "POST" else None, kind=channel.kind,
                       channel=channel)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_channel(request.user, channel, name=form.cleaned_data["name"],
                                   enabled=form.cleaned_data["enabled"], values=form.values(),
                                   request=request)
        except ValidationError as exc:
            form.apply_errors(exc.message_dict)
        else:
            messages.success(request, _("Channel %(name)s saved.") % {"name": channel.name})
            return redirect("core:channel_detail", pk=channel.pk)
    return render(request, "core/channel_form.html", {
        "form": form, "kind": channel.kind, "kinds": NotificationKind.choices,
        "channel": channel})


@cap_required(Cap.MANAGE_CHANNELS)
def channel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.select_related("secret", "signing_secret"),
                                pk=pk)
    notifications = channel.notifications.prefetch_related("delivery_attempts")
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    secrets = [(f.label, channel_fields.masked_secrets(channel).get(f.name, ""))
               for f in channel_fields.secret_fields(channel.kind)]
    return render(request, "core/channel_detail.html", {
        "channel": channel, "settings_rows": channel_fields.display_config(channel),
        "secrets": secrets, "page": page})


@cap_required(Cap.MANAGE_CHANNELS)
@require_POST
def channel_delete(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=pk)
    name = channel.name
    actions.delete_channel(request.user, channel, request=request)
    messages.success(request, _("Channel %(name)s deleted.") % {"name": name})
    return redirect("core:channel_list")


@cap_required(Cap.MANAGE_CHANNELS)
@require_POST
def channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=pk)
    notification = actions.send_test(request.user, channel, request=request)
    if _is_htmx(request):
        notification.refresh_from_db()
        return _result(request, notification)
    notification.refresh_from_db()
    if notification.is_final:
        level = messages.SUCCESS if notification.status == "sent" else messages.ERROR
        messages.add_message(request, level, _("Test message: %(status)s. %(error)s") % {
            "status": notification.get_status_display(), "error": notification.last_error})
    else:
        messages.info(request, _("Test message queued; its result appears in the delivery "
                                 "log below."))
    return redirect("core:channel_detail", pk=channel.pk)


@cap_required(Cap.MANAGE_CHANNELS)
def notification_result(request: HttpRequest, pk: int) -> HttpResponse:
    """The state of one notification, polled by the test button's result box."""
    notification = get_object_or_404(Notification, pk=pk)
    return _result(request, notification)


def _result(request: HttpRequest, notification: Notification) -> HttpResponse:
    context: dict[str, Any] = {
        "notification": notification,
        "attempt": notification.delivery_attempts.first(),
    }
    return render(request, "core/_notification_result.html", context)
