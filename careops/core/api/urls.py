from django.urls import include, path
from rest_framework.routers import DefaultRouter

from careops.core.api.audit import AuditRecordViewSet
from careops.core.api.calendars import HolidayYearViewSet, WorkCalendarViewSet
from careops.core.api.notifications import ChannelViewSet
from careops.core.api.users import UserViewSet

router = DefaultRouter()
router.register("audit", AuditRecordViewSet, basename="audit")
router.register("calendars", WorkCalendarViewSet, basename="calendar")
router.register("channels", ChannelViewSet, basename="channel")
router.register("holiday-years", HolidayYearViewSet, basename="holiday-year")
router.register("users", UserViewSet, basename="user")

urlpatterns = [
    path("", include(router.urls)),
]
