"""``careops collect [--zone Z] [--once]``: the collection loop (careops.monitoring.scheduler).

``careops up`` starts one collector for all zones; in scale-out, run one per network zone
(``--zone internal`` also runs checks without a zone)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from careops.cmdb.choices import NetworkZone


class Command(BaseCommand):
    help = "Collect metrics: run the due checks of a network zone, in a loop or once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--zone", default="", help="network zone (default: every zone)")
        parser.add_argument("--once", action="store_true",
                            help="run the checks due now, wait for them and exit")
        parser.add_argument("--workers", type=int, default=settings.CAREOPS_COLLECT_WORKERS,
                            help="checks run at the same time")

    def handle(self, *args: Any, **options: Any) -> None:
        from careops.monitoring.scheduler import Collector

        zone = options["zone"].strip()
        if zone and zone not in NetworkZone.values:
            raise CommandError(f"--zone: unknown zone {zone!r}; use one of "
                               f"{', '.join(NetworkZone.values)}")
        if options["workers"] < 1:
            raise CommandError("--workers: at least 1")
        collector = Collector(zone=zone or None, workers=options["workers"])
        if options["once"]:
            try:
                signals = collector.run_once()
            finally:
                collector.close()
            failed = [o for o in collector.outcomes if o.status != "ok"]
            self.stdout.write(f"Ran {len(collector.outcomes)} checks "
                              f"({len(failed)} not ok, {len(signals)} status changes), "
                              f"stored {sum(o.samples for o in collector.outcomes)} samples.")
            return
        stop = threading.Event()

        def stop_loop(signum: int, frame: Any) -> None:
            stop.set()

        signal.signal(signal.SIGINT, stop_loop)
        signal.signal(signal.SIGTERM, stop_loop)
        self.stdout.write(f"Collecting (zone {zone or 'all'}, {options['workers']} workers); "
                          "Ctrl-C stops.")
        self.stdout.flush()
        collector.run_forever(stop)
        self.stdout.write("Collector stopped.")
