"""Pages of the service desk, included at the root of careops/urls.py: tickets under
/tickets/, the public survey link at /survey/<token>/, mailboxes under
/servicedesk/mailboxes/."""

from django.urls import path

from careops.servicedesk.views import mail, surveys

app_name = "servicedesk"

urlpatterns = [
    path("servicedesk/mailboxes/", mail.mailbox_list, name="mailbox_list"),
    path("servicedesk/mailboxes/new/", mail.mailbox_create, name="mailbox_create"),
    path("servicedesk/mailboxes/<int:pk>/", mail.mailbox_detail, name="mailbox_detail"),
    path("servicedesk/mailboxes/<int:pk>/edit/", mail.mailbox_edit, name="mailbox_edit"),
    path("servicedesk/mailboxes/<int:pk>/poll/", mail.mailbox_poll, name="mailbox_poll"),
    path("servicedesk/mailboxes/<int:pk>/delete/", mail.mailbox_delete, name="mailbox_delete"),
    path("survey/<str:token>/", surveys.survey, name="survey"),
    path("tickets/surveys/", surveys.survey_results, name="survey_results"),
]
