"""Routes of the ticket API, included at /api/v1/tickets/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from careops.servicedesk.api.views import TicketViewSet

router = SimpleRouter()
router.register("", TicketViewSet, basename="ticket")

urlpatterns = [path("", include(router.urls))]
