"""A management command made of subcommands (``careops cmdb import …``, ``careops
monitoring load-rules``): each provider is a module, or ``module:Class``, with NAME, HELP,
add_arguments(parser) and run(command, options), imported only when the command runs."""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class SubcommandsCommand(BaseCommand):
    subcommands: tuple[str, ...] = ()

    def providers(self) -> dict[str, Any]:
        found = {}
        for entry in self.subcommands:
            module_name, _, attribute = entry.partition(":")
            module = importlib.import_module(module_name)
            provider = getattr(module, attribute) if attribute else module
            found[provider.NAME] = provider
        return found

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for name, provider in self.providers().items():
            provider.add_arguments(sub.add_parser(name, help=provider.HELP))

    def handle(self, *args: Any, **options: Any) -> None:
        self.providers()[options["subcommand"]].run(self, options)
