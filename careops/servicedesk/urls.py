"""Pages of the service desk, included at /servicedesk/."""

from django.urls import path

from careops.servicedesk.views import mail

app_name = "servicedesk"

urlpatterns = [
    path("mailboxes/", mail.mailbox_list, name="mailbox_list"),
    path("mailboxes/new/", mail.mailbox_create, name="mailbox_create"),
    path("mailboxes/<int:pk>/", mail.mailbox_detail, name="mailbox_detail"),
    path("mailboxes/<int:pk>/edit/", mail.mailbox_edit, name="mailbox_edit"),
    path("mailboxes/<int:pk>/poll/", mail.mailbox_poll, name="mailbox_poll"),
    path("mailboxes/<int:pk>/delete/", mail.mailbox_delete, name="mailbox_delete"),
]
