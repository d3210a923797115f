"""``careops audit verify`` and ``careops audit prune [--dry-run]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from careops.core import auditlog


class Command(BaseCommand):
    help = "Check the hash chain of the audit trail, or prune records beyond the retention."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,prune}")
        sub.add_parser("verify", help="recompute the hash chain; exit 1 naming the first "
                                      "broken record")
        prune = sub.add_parser("prune", help="delete records older than "
                                             "CAREOPS_AUDIT_RETENTION_DAYS (at least 180)")
        prune.add_argument("--dry-run", action="store_true",
                           help="only tell how many records would be deleted")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            result = auditlog.verify_chain()
            if not result.ok:
                raise CommandError(str(result), returncode=1)
            self.stdout.write(str(result))
            return
        cutoff = timezone.localtime(auditlog.prune_cutoff())
        if options["dry_run"]:
            plan = auditlog.plan_prune()
            self.stdout.write(
                f"would prune {plan.count} audit records older than {cutoff:%Y-%m-%d %H:%M} "
                f"(retention {auditlog.retention_days()} days)")
            return
        count = auditlog.prune()
        self.stdout.write(f"pruned {count} audit records older than {cutoff:%Y-%m-%d %H:%M}")
