"""Routes of the ticket API, included at /api/v1/tickets/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from careops.servicedesk.api.escalation import BreachViewSet, survey_results
from careops.servicedesk.api.views import TicketViewSet

breaches = SimpleRouter()
breaches.register("breaches", BreachViewSet, basename="breach")
router = SimpleRouter()
router.register("", TicketViewSet, basename="ticket")

urlpatterns = [
    path("surveys/results/", survey_results, name="survey-results"),
    path("", include(breaches.urls)),
    path("", include(router.urls)),
]
