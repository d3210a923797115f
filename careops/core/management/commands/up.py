"""``careops up``: migrate, create the first accounts, run web + worker + scheduler.

One process tree: this process supervises gunicorn (the web server), the Huey
consumer (the worker; its scheduler thread runs the periodic tasks) and the metric
collector (``careops collect``). Ctrl-C or
SIGTERM stops both and waits for them; if either dies, the other is stopped too.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from careops.core.bootstrap import create_first_accounts
from careops.core.checks import check_services

PR_SET_PDEATHSIG = 1


def _child_setup() -> None:
    """Run in each child before exec: its own process group, so that Ctrl-C in the
    terminal reaches only the supervisor (which stops the children in order), and
    SIGTERM when the supervisor dies, so that no child is ever left orphaned."""
    os.setpgrp()
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:  # not Linux: the supervisor's own shutdown still stops the children
        pass


class Command(BaseCommand):
    help = "Start CareOps: web server, worker and scheduler."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=settings.BIND, help="address:port to listen on")
        parser.add_argument("--workers", type=int, default=settings.WEB_WORKERS)
        parser.add_argument("--no-worker", action="store_true",
                            help="web server only (no worker, no collector)")
        parser.add_argument("--demo", action="store_true",
                            help="load the demo hospital when the CMDB is still empty")

    def handle(self, *args: Any, **options: Any) -> None:
        problem = check_services()
        if problem:
            raise CommandError(problem)
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        for account in create_first_accounts():
            if account.password:
                self.stdout.write(self.style.WARNING(
                    f"Created {account.role} account '{account.username}' with password: "
                    f"{account.password}   (shown once; change it at first login)"))
            else:
                self.stdout.write(f"Created {account.role} account '{account.username}'.")
        # the shipped alert rules (docs/monitoring-rules.md): missing ones added, edited kept
        from careops.monitoring.actions.rules import load_default_rules

        load_default_rules()
        if options["demo"]:
            self._load_demo()
        web = [sys.executable, "-m", "gunicorn", "careops.wsgi:application",
               "--bind", options["bind"], "--workers", str(options["workers"]),
               "--access-logfile", "-", "--graceful-timeout", "10", "--timeout", "60"]
        children = [("web", subprocess.Popen(web, preexec_fn=_child_setup))]
        if not options["no_worker"]:
            worker = [sys.executable, "-m", "careops.cli", "run_huey"]
            children.append(("worker", subprocess.Popen(worker, preexec_fn=_child_setup)))
            # The metric collector (all zones; in scale-out one `careops collect --zone Z`
            # runs per network zone instead).
            collector = [sys.executable, "-m", "careops.cli", "collect"]
            children.append(("collector", subprocess.Popen(collector, preexec_fn=_child_setup)))
        self.stdout.write(f"CareOps is running at http://{options['bind']}/ (Ctrl-C stops it)")
        self._supervise(children)

    def _load_demo(self) -> None:
        from careops.cmdb import demo
        from careops.cmdb.models import ConfigItem

        if ConfigItem.objects.exists():
            self.stdout.write("The CMDB already has items; the demo hospital is not loaded.")
            return
        outcome = demo.load()
        self.stdout.write(f"Loaded the demo hospital in {outcome.seconds:.1f} s "
                          f"({outcome.total} records; remove it with 'careops demo --reset').")

    def _supervise(self, children: list[tuple[str, subprocess.Popen[bytes]]]) -> None:
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for name, proc in children:
                if proc.poll() is not None:
                    self.stderr.write(f"careops: the {name} process exited with {proc.returncode}")
                    exit_code = 1
                    stopping = True
            time.sleep(0.2)
        for _, proc in children:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _, proc in children:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.stdout.write("CareOps stopped.")
        if exit_code:
            raise SystemExit(exit_code)
