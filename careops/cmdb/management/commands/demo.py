"""``careops demo``: load the demo hospital into the CMDB; ``--reset`` removes it.

    careops demo            # load (idempotent: a second run changes nothing)
    careops demo --reset    # delete every record marked as demo data

Errors are one line on stderr and exit code 2.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from careops.cmdb import demo


class Command(BaseCommand):
    help = ("Load the demo hospital (a two-campus Chinese hospital with its business "
            "systems, hosts, databases, interfaces and backups) into the CMDB, or remove it.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--reset", action="store_true",
                            help="remove the demo data (only records marked as demo data)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = demo.reset() if options["reset"] else demo.load()
        except (demo.DemoConflict, demo.DemoInUse) as exc:
            raise CommandError(str(exc), returncode=2) from None
        if options["reset"]:
            if outcome.total:
                self.stdout.write(f"Removed the demo hospital in {outcome.seconds:.1f} s: "
                                  f"{outcome.summary()}.")
            else:
                self.stdout.write("There is no demo data; nothing changed.")
        elif outcome.total:
            self.stdout.write(f"Loaded the demo hospital in {outcome.seconds:.1f} s: "
                              f"{outcome.summary()}.")
        else:
            self.stdout.write("The demo hospital is already loaded; nothing changed.")
