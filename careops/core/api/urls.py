from django.urls import include, path
from rest_framework.routers import DefaultRouter

from careops.core.api.notifications import ChannelViewSet

router = DefaultRouter()
router.register("channels", ChannelViewSet, basename="channel")

urlpatterns = [
    path("", include(router.urls)),
]
