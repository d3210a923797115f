"""Pages of the email intake's mailboxes (Cap.MANAGE_CHANNELS, like the notification
channels). Reading the incoming mail and polling also need Cap.VIEW_OPERATIONS: the
system administrator keeps the settings but sees no business data. Thin:
``actions.mailboxes`` and ``actions.mail`` decide."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careops.cmdb.forms.fields import mark_invalid
from careops.core.roles import Cap, has_cap
from careops.core.views.decorators import cap_required
from careops.servicedesk.actions import mail as mail_actions
from careops.servicedesk.actions import mailboxes as actions
from careops.servicedesk.forms.mail import MailboxForm
from careops.servicedesk.models import InboundMail, Mailbox


@cap_required(Cap.MANAGE_CHANNELS)
def mailbox_list(request: HttpRequest) -> HttpResponse:
    mailboxes = Mailbox.objects.select_related("reply_channel", "password")
    return render(request, "servicedesk/mailbox_list.html", {"mailboxes": mailboxes})


@cap_required(Cap.MANAGE_CHANNELS)
def mailbox_create(request: HttpRequest) -> HttpResponse:
    form = MailboxForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mailbox = actions.create_mailbox(request.user, values=form.values(),
                                             password=form.cleaned_data["password"],
                                             request=request)
        except ValidationError as exc:
            form.apply_errors(exc.message_dict)
        else:
            messages.success(request, _("Mailbox %(name)s created. Use “Poll now” to check "
                                        "it.") % {"name": mailbox.name})
            return redirect("servicedesk:mailbox_detail", pk=mailbox.pk)
    mark_invalid(form)
    return render(request, "servicedesk/mailbox_form.html", {"form": form, "mailbox": None})


@cap_required(Cap.MANAGE_CHANNELS)
def mailbox_edit(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = get_object_or_404(Mailbox, pk=pk)
    form = MailboxForm(request.POST or None, instance=mailbox)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_mailbox(request.user, mailbox, values=form.values(),
                                   password=form.cleaned_data["password"], request=request)
        except ValidationError as exc:
            mailbox.refresh_from_db()
            form.apply_errors(exc.message_dict)
        else:
            messages.success(request, _("Mailbox %(name)s saved.") % {"name": mailbox.name})
            return redirect("servicedesk:mailbox_detail", pk=mailbox.pk)
    mark_invalid(form)
    return render(request, "servicedesk/mailbox_form.html", {"form": form, "mailbox": mailbox})


@cap_required(Cap.MANAGE_CHANNELS)
def mailbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = get_object_or_404(Mailbox.objects.select_related("reply_channel", "password"),
                                pk=pk)
    # The mail itself (senders, subjects, tickets) is business data: the system
    # administrator, who keeps the mailbox settings, does not read it (三员分立).
    shows_mail = has_cap(request.user, Cap.VIEW_OPERATIONS)
    outcome = request.GET.get("outcome", "")
    page = None
    if shows_mail:
        mails = InboundMail.objects.filter(mailbox=mailbox).select_related("ticket")
        if outcome in ("opened", "reply", "refused"):
            mails = mails.filter(outcome=outcome)
        page = Paginator(mails, 50).get_page(request.GET.get("page"))
    return render(request, "servicedesk/mailbox_detail.html", {
        "mailbox": mailbox, "page": page, "outcome": outcome, "shows_mail": shows_mail})


@cap_required(Cap.MANAGE_CHANNELS)
@cap_required(Cap.VIEW_OPERATIONS)
@require_POST
def mailbox_poll(request: HttpRequest, pk: int) -> HttpResponse:
    """Read the mailbox now: it opens tickets, so it is also business work."""
    mailbox = get_object_or_404(Mailbox.objects.select_related("reply_channel", "password"),
                                pk=pk)
    result = mail_actions.poll(mailbox)
    if result.error:
        messages.error(request, _("Polling failed: %(error)s") % {"error": result.error})
    else:
        messages.success(request, _(
            "%(fetched)s new messages: %(opened)s tickets opened, %(replies)s replies added, "
            "%(refused)s refused.") % {"fetched": result.fetched, "opened": result.opened,
                                      "replies": result.replies, "refused": result.refused})
    return redirect("servicedesk:mailbox_detail", pk=mailbox.pk)


@cap_required(Cap.MANAGE_CHANNELS)
@require_POST
def mailbox_delete(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = get_object_or_404(Mailbox, pk=pk)
    name = mailbox.name
    actions.delete_mailbox(request.user, mailbox, request=request)
    messages.success(request, _("Mailbox %(name)s deleted.") % {"name": name})
    return redirect("servicedesk:mailbox_list")
