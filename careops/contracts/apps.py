from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "careops.contracts"
    label = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from careops.contracts import scoping
        from careops.contracts.actions import obligations

        scoping.install()
        obligations.install()
