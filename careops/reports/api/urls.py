"""Routes of the documents API, included at /api/v1/reports/."""

from django.urls import path

from careops.reports.api.views import ContractMonthView, TicketRecordView

urlpatterns = [
    path("tickets/<str:number>/record/", TicketRecordView.as_view(),
         name="api-reports-ticket-record"),
    path("contracts/<slug:code>/months/<str:month>/", ContractMonthView.as_view(),
         name="api-reports-contract-month"),
]
