"""``careops alert_receiver create|rotate|list``: the tokens of the webhook receivers
(an Alertmanager, a Zabbix server). A token is printed once; only its hash is kept."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from careops.monitoring.actions import receivers
from careops.monitoring.models import AlertReceiver, ReceiverKind


class Command(BaseCommand):
    help = "Webhook receivers of alerts: create one (prints its token), rotate, list."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="command", required=True)
        create = sub.add_parser("create", help="a new receiver; prints its token once")
        create.add_argument("kind", choices=ReceiverKind.values)
        create.add_argument("name")
        rotate = sub.add_parser("rotate", help="a new token for a receiver")
        rotate.add_argument("name")
        sub.add_parser("list", help="the receivers")

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["command"]
        if command == "list":
            for r in AlertReceiver.objects.all():
                used = r.last_used_at.isoformat() if r.last_used_at else "never"
                state = "enabled" if r.enabled else "disabled"
                self.stdout.write(f"{r.name}\t{r.kind}\t{state}\tlast used {used}")
            return
        if command == "create":
            try:
                _receiver, token = receivers.create_receiver(None, options["kind"],
                                                             options["name"])
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
        else:
            receiver = AlertReceiver.objects.filter(name=options["name"]).first()
            if receiver is None:
                raise CommandError(f"no receiver named {options['name']!r}")
            token = receivers.rotate_token(None, receiver)
        self.stdout.write(token)
