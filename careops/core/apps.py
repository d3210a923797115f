from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "careops.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from careops.core import signals  # noqa: F401  (connects audit receivers)
