from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=static("careops/favicon.svg"), permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/cmdb/", include("careops.cmdb.api.urls")),
    path("api/v1/contracts/", include("careops.contracts.api.urls")),
    path("api/v1/tickets/", include("careops.servicedesk.api.urls")),
    path("api/v1/reports/", include("careops.reports.api.urls")),
    path("api/v1/monitoring/", include("careops.monitoring.api.urls")),
    path("api/v1/", include("careops.core.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("cmdb/", include("careops.cmdb.urls")),
    path("contracts/", include("careops.contracts.urls")),
    path("reports/", include("careops.reports.urls")),
    path("monitoring/", include("careops.monitoring.urls")),
    # service desk pages: /tickets/…, the public /survey/<token>/, /servicedesk/mailboxes/
    path("", include("careops.servicedesk.urls")),
    path("", include("careops.core.urls")),
]
