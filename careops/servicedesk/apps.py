from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceDeskConfig(AppConfig):
    name = "careops.servicedesk"
    label = "servicedesk"
    verbose_name = _("Service desk")

    def ready(self) -> None:
        from careops.servicedesk import (
            scoping,
            tasks_mail,  # noqa: F401 (registers the Huey task)
        )

        scoping.install()
