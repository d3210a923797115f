"""Pages of the service desk. Included at the root of careops/urls.py: the survey link
is public (/survey/<token>/), the other pages live under /tickets/."""

from django.urls import path

from careops.servicedesk.views import surveys

app_name = "servicedesk"

urlpatterns = [
    path("survey/<str:token>/", surveys.survey, name="survey"),
    path("tickets/surveys/", surveys.survey_results, name="survey_results"),
]
