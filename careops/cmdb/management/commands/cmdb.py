"""``careops cmdb SUBCOMMAND …``: the CMDB from the command line.

    careops cmdb discover SRV-LIS                     what node_exporter says, vs the record
    careops cmdb discover SRV-LIS --ssh --apply --as alice
    careops cmdb file-sd --out /etc/prometheus/careops   Prometheus targets by zone
    careops cmdb import hosts.xlsx --class host        dry run: every bad row, nothing written
    careops cmdb import hosts.xlsx --class host --apply --as alice
    careops cmdb export --class host --out hosts.xlsx --as alice

Errors are one line on stderr and exit code 2.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

# The modules of careops.cmdb.cli that provide subcommands.
SUBCOMMANDS = ("careops.cmdb.cli.discover", "careops.cmdb.cli.file_sd",
               "careops.cmdb.cli.imports:ImportCommand", "careops.cmdb.cli.imports:ExportCommand")


class Command(BaseCommand):
    help = "Configuration items from the command line."

    def _modules(self) -> dict[str, Any]:
        """Each entry names a module, or ``module:Class``, with NAME, HELP,
        add_arguments(parser) and run(command, options)."""
        found = {}
        for entry in SUBCOMMANDS:
            module_name, _, attribute = entry.partition(":")
            module = importlib.import_module(module_name)
            provider = getattr(module, attribute) if attribute else module
            found[provider.NAME] = provider
        return found

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for name, module in self._modules().items():
            module.add_arguments(sub.add_parser(name, help=module.HELP))

    def handle(self, *args: Any, **options: Any) -> None:
        self._modules()[options["subcommand"]].run(self, options)
