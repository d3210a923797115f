"""``careops secrets newkey`` and ``careops secrets rotate``: the secret store's key.

- ``newkey`` prints a new key. Put it first in CAREOPS_SECRETS_KEY (comma-separated,
  keeping the old key after it), restart, then run ``rotate``.
- ``rotate`` re-encrypts every secret with the first key; afterwards the old keys can
  be removed from CAREOPS_SECRETS_KEY.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand, CommandError, CommandParser

from careops.core import secrets


class Command(BaseCommand):
    help = "Manage the key of the secret store: newkey | rotate."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        sub.add_parser("newkey", help="print a new key for CAREOPS_SECRETS_KEY")
        sub.add_parser("rotate", help="re-encrypt every secret with the first configured key")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "newkey":
            self.stdout.write(Fernet.generate_key().decode("ascii"))
            return
        try:
            count = secrets.rotate_all()
        except secrets.SecretUnreadable as exc:
            raise CommandError(
                f"{exc}: keep the old key in CAREOPS_SECRETS_KEY, after the new one") from None
        self.stdout.write(f"re-encrypted {count} secret(s) with the first key")
