from django.urls import path

from careops.reports.views import downloads

app_name = "reports"

urlpatterns = [
    path("records/tickets/<str:number>/", downloads.ticket_record, name="ticket_record"),
    path("records/contracts/<slug:code>/", downloads.contract_month,
         name="contract_month_form"),
    path("records/contracts/<slug:code>/<str:month>/", downloads.contract_month,
         name="contract_month"),
]
