from django.urls import include, path
from rest_framework.routers import DefaultRouter

from careops.core.api.audit import AuditRecordViewSet

router = DefaultRouter()
router.register("audit", AuditRecordViewSet, basename="audit")

urlpatterns = [
    path("", include(router.urls)),
]
