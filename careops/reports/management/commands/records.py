"""``careops records export --ticket NUMBER --format pdf -o FILE`` and
``careops records export --contract CODE --month 2026-11 --format xlsx -o FILE``.

Without ``--as USER`` the export is made for the server's operator and audited as
"cli"; with it, only what that user may see is exported and the audit names him.
Errors are one line and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from careops.contracts.models import ContractProfile
from careops.reports import actions
from careops.reports.render import FORMATS
from careops.servicedesk.models import Ticket


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Export maintenance records (a ticket's, or a contract's monthly list)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        export = sub.add_parser("export", help="write one document to a file")
        which = export.add_mutually_exclusive_group(required=True)
        which.add_argument("--ticket", metavar="NUMBER", help="e.g. INC-2026-000123")
        which.add_argument("--contract", metavar="CODE")
        export.add_argument("--month", metavar="YYYY-MM", help="with --contract")
        export.add_argument("--format", dest="fmt", choices=list(FORMATS), default="pdf")
        export.add_argument("-o", "--output", required=True, metavar="FILE")
        export.add_argument("--as", dest="username", metavar="USER",
                            help="export as this user (what he may see; audited as him)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["username"]:
            actor = get_user_model().objects.filter(username=options["username"]).first()
            if actor is None:
                raise _fail(f"no user {options['username']!r}")
        try:
            if options["ticket"]:
                ticket = Ticket.objects.filter(number=options["ticket"]).first()
                if ticket is None:
                    raise _fail(f"no ticket {options['ticket']!r}")
                rendered = actions.export_ticket_record(actor, ticket, options["fmt"])
            else:
                if not options["month"]:
                    raise _fail("--contract needs --month YYYY-MM")
                profile = ContractProfile.objects.filter(code=options["contract"]).first()
                if profile is None:
                    raise _fail(f"no contract {options['contract']!r}")
                rendered = actions.export_contract_month(actor, profile, options["month"],
                                                         options["fmt"])
        except ValidationError as exc:
            raise _fail("; ".join(f"--{field}: {' '.join(messages)}"
                                  for field, messages in exc.message_dict.items())) from None
        except PermissionDenied as exc:
            raise _fail(str(exc) or "not allowed") from None
        path = Path(options["output"])
        try:
            path.write_bytes(rendered.content)
        except OSError as exc:
            raise _fail(f"cannot write {path}: {exc.strerror}") from None
        self.stdout.write(f"{path} {rendered.format} {len(rendered.content)} bytes")
