from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "careops.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from careops.monitoring import health, scoping, signals, wiring

        scoping.install()
        health.install()
        signals.install()
        wiring.install()
