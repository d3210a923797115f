"""The email intake's periodic task (imported by ServiceDeskConfig.ready so that the
Huey consumer of ``careops up`` knows it)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def poll_mailboxes() -> int:
    """Read every enabled mailbox; the number of messages handled."""
    from careops.servicedesk.actions import mail

    return sum(result.fetched for result in mail.poll_enabled())
