from django.urls import path

from careops.servicedesk.views import intake, queue, teams, tickets

app_name = "servicedesk"

# Fixed paths first: "<number>/" would otherwise catch them.
urlpatterns = [
    path("", queue.queue, name="queue"),
    path("report/", intake.report, name="report"),
    path("new/", intake.desk, name="new"),
    path("teams/", teams.team_list, name="team_list"),
    path("teams/new/", teams.team_edit, name="team_create"),
    path("teams/<int:pk>/", teams.team_edit, name="team_edit"),
    path("attachments/<int:pk>/", tickets.attachment_download, name="attachment"),
    path("<str:number>/", tickets.ticket_detail, name="ticket"),
    path("<str:number>/clocks/", tickets.ticket_clocks, name="ticket_clocks"),
    path("<str:number>/transition/", tickets.ticket_transition, name="transition"),
    path("<str:number>/assign/", tickets.ticket_assign, name="assign"),
    path("<str:number>/priority/", tickets.ticket_priority, name="priority"),
    path("<str:number>/comment/", tickets.ticket_comment, name="comment"),
    path("<str:number>/attach/", tickets.ticket_attach, name="attach"),
]
