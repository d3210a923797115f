"""``careops monitoring SUBCOMMAND …``: monitoring from the command line.

    careops monitoring load-rules            create/update the shipped default alert rules
    careops monitoring load-rules --as alice
    careops monitoring eval-rules            evaluate the due rules now and print the signals

Errors are one line on stderr and exit code 2.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

# The providers of subcommands: ``module:Class`` with NAME, HELP, add_arguments(parser)
# and run(command, options). Each part of monitoring adds its own here.
SUBCOMMANDS = ("careops.monitoring.cli.rules:LoadRules",
               "careops.monitoring.cli.rules:EvalRules")


class Command(BaseCommand):
    help = "Monitoring from the command line."

    def _providers(self) -> dict[str, Any]:
        found = {}
        for entry in SUBCOMMANDS:
            module_name, _, attribute = entry.partition(":")
            module = importlib.import_module(module_name)
            provider = getattr(module, attribute) if attribute else module
            found[provider.NAME] = provider
        return found

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for name, provider in self._providers().items():
            provider.add_arguments(sub.add_parser(name, help=provider.HELP))

    def handle(self, *args: Any, **options: Any) -> None:
        self._providers()[options["subcommand"]].run(self, options)
