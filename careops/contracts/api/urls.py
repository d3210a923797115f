"""Routes of the contract API, included at /api/v1/contracts/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from careops.contracts.api.views import ContractViewSet

router = SimpleRouter()
router.register("", ContractViewSet, basename="contract")

urlpatterns = [path("", include(router.urls))]
