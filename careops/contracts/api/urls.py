"""Routes of the contract API, included at /api/v1/contracts/. The obligation tracker's
routes come first: ``obligations`` is not a contract code."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from careops.contracts.api.obligations import ObligationViewSet
from careops.contracts.api.views import ContractViewSet

tracker = SimpleRouter()
tracker.register("", ObligationViewSet, basename="obligation")
router = SimpleRouter()
router.register("", ContractViewSet, basename="contract")

urlpatterns = [path("obligations/", include(tracker.urls)), path("", include(router.urls))]
