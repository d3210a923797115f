from django.urls import path

from careops.contracts.views import obligations, pages

app_name = "contracts"

urlpatterns = [
    path("", pages.contract_list, name="list"),
    path("load/", pages.contract_upload, name="upload"),
    path("obligations/", obligations.obligation_list, name="obligation_list"),
    path("obligations/calendar/", obligations.obligation_calendar, name="obligation_calendar"),
    path("obligations/<int:pk>/", obligations.obligation_detail, name="obligation_detail"),
    path("obligations/<int:pk>/complete/", obligations.obligation_complete,
         name="obligation_complete"),
    path("obligations/<int:pk>/waive/", obligations.obligation_waive, name="obligation_waive"),
    path("obligations/<int:pk>/assign/", obligations.obligation_assign,
         name="obligation_assign"),
    path("obligations/<int:pk>/evidence/", obligations.obligation_evidence,
         name="obligation_evidence"),
    path("<slug:code>/", pages.contract_detail, name="detail"),
    path("<slug:code>/load/", pages.contract_upload, name="replace"),
]
