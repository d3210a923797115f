from django.urls import include, path
from rest_framework.routers import DefaultRouter

from careops.core.api.calendars import HolidayYearViewSet, WorkCalendarViewSet

router = DefaultRouter()
router.register("calendars", WorkCalendarViewSet, basename="calendar")
router.register("holiday-years", HolidayYearViewSet, basename="holiday-year")

urlpatterns = [
    path("", include(router.urls)),
]
