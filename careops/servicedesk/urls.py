"""Pages of the service desk, included at the root of careops/urls.py: tickets under
/tickets/, the public survey link at /survey/<token>/, mailboxes under
/servicedesk/mailboxes/."""

from django.urls import path

from careops.servicedesk.views import intake, mail, queue, surveys, teams, tickets

app_name = "servicedesk"

# Fixed paths first: "tickets/<number>/" would otherwise catch them.
urlpatterns = [
    path("tickets/", queue.queue, name="queue"),
    path("tickets/report/", intake.report, name="report"),
    path("tickets/new/", intake.desk, name="new"),
    path("tickets/teams/", teams.team_list, name="team_list"),
    path("tickets/teams/new/", teams.team_edit, name="team_create"),
    path("tickets/teams/<int:pk>/", teams.team_edit, name="team_edit"),
    path("tickets/surveys/", surveys.survey_results, name="survey_results"),
    path("tickets/attachments/<int:pk>/", tickets.attachment_download, name="attachment"),
    path("tickets/<str:number>/", tickets.ticket_detail, name="ticket"),
    path("tickets/<str:number>/clocks/", tickets.ticket_clocks, name="ticket_clocks"),
    path("tickets/<str:number>/transition/", tickets.ticket_transition, name="transition"),
    path("tickets/<str:number>/assign/", tickets.ticket_assign, name="assign"),
    path("tickets/<str:number>/priority/", tickets.ticket_priority, name="priority"),
    path("tickets/<str:number>/comment/", tickets.ticket_comment, name="comment"),
    path("tickets/<str:number>/attach/", tickets.ticket_attach, name="attach"),
    path("tickets/<str:number>/waive/", tickets.ticket_waive, name="waive"),
    path("tickets/<str:number>/analysis/", tickets.ticket_analysis, name="analysis"),
    path("tickets/<str:number>/change-plan/", tickets.ticket_change_plan, name="change_plan"),
    path("tickets/<str:number>/link/", tickets.ticket_link, name="link"),
    path("survey/<str:token>/", surveys.survey, name="survey"),
    path("servicedesk/mailboxes/", mail.mailbox_list, name="mailbox_list"),
    path("servicedesk/mailboxes/new/", mail.mailbox_create, name="mailbox_create"),
    path("servicedesk/mailboxes/<int:pk>/", mail.mailbox_detail, name="mailbox_detail"),
    path("servicedesk/mailboxes/<int:pk>/edit/", mail.mailbox_edit, name="mailbox_edit"),
    path("servicedesk/mailboxes/<int:pk>/poll/", mail.mailbox_poll, name="mailbox_poll"),
    path("servicedesk/mailboxes/<int:pk>/delete/", mail.mailbox_delete, name="mailbox_delete"),
]
