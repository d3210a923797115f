from django.urls import path

from careops.contracts.views import pages

app_name = "contracts"

urlpatterns = [
    path("", pages.contract_list, name="list"),
    path("load/", pages.contract_upload, name="upload"),
    path("<slug:code>/", pages.contract_detail, name="detail"),
    path("<slug:code>/load/", pages.contract_upload, name="replace"),
]
