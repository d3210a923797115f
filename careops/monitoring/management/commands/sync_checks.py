"""``careops sync_checks``: bring every item's managed scrape checks in step with its
monitoring endpoints (the post_save signal does it for each save; this catches up after
bulk changes that bypass it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Sync the managed scrape checks of every CMDB item with its monitoring endpoints."

    def handle(self, *args: Any, **options: Any) -> None:
        from careops.monitoring.actions.checks import sync_all

        count = sync_all()
        self.stdout.write(f"{count} items have managed checks.")
