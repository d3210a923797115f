"""``careops mail poll [NAME ...]``: read the mailboxes of the email intake now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careops.servicedesk.actions import mail
from careops.servicedesk.models import Mailbox


class Command(BaseCommand):
    help = "Email intake: poll the IMAP mailboxes (all enabled ones, or those named)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="command", required=True)
        poll = sub.add_parser("poll", help="read new mail now")
        poll.add_argument("names", nargs="*", metavar="NAME",
                          help="mailbox names (default: every enabled mailbox)")

    def handle(self, *args: Any, **options: Any) -> None:
        names: list[str] = options["names"]
        queryset = Mailbox.objects.select_related("password", "reply_channel")
        if names:
            mailboxes = list(queryset.filter(name__in=names))
            missing = sorted(set(names) - {m.name for m in mailboxes})
            if missing:
                raise CommandError(f"no mailbox named: {', '.join(missing)}")
        else:
            mailboxes = list(queryset.filter(enabled=True))
        failed = 0
        for mailbox in mailboxes:
            result = mail.poll(mailbox)
            line = (f"{mailbox.name}: {result.fetched} new, {result.opened} opened, "
                    f"{result.replies} replies, {result.refused} refused")
            if result.error:
                failed += 1
                self.stderr.write(f"{line}; error: {result.error}")
            else:
                self.stdout.write(line)
        if failed:
            raise CommandError(f"{failed} mailbox(es) could not be read")
