from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmdbConfig(AppConfig):
    name = "careops.cmdb"
    label = "cmdb"
    verbose_name = _("Configuration items")

    def ready(self) -> None:
        from careops.cmdb import scoping

        scoping.install()
