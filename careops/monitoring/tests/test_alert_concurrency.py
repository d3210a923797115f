"""Two collectors sending the same new alert at once: one alert, one group, one ticket.

Needs a real multi-connection database: run with DATABASE_URL pointing at PostgreSQL
(scripts/test.sh does) or MariaDB; on SQLite in memory the threads cannot share it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from careops.monitoring.actions import alerts as pipeline
from careops.monitoring.models import Alert, AlertGroup
from careops.monitoring.tests.alerts_support import (  # noqa: F401 (fixtures)
    T0,
    hospital_fixture,
    signal_fixture,
)
from careops.servicedesk.models import Ticket

pytestmark = [pytest.mark.postgres]


def test_it_keeps_one_open_alert_when_two_collectors_race(
        transactional_db: Any, hospital: dict[str, Any],
        signal: Callable[..., Any]) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("needs a database server (run with DATABASE_URL=postgres://…)")
    pipeline.service_account()
    errors: list[BaseException] = []
    rounds = 5
    for round_ in range(rounds):
        s = signal("HostDown", hospital["lone"], round=str(round_))
        barrier = threading.Barrier(2)

        def send(s: Any = s, barrier: threading.Barrier = barrier) -> None:
            try:
                barrier.wait(timeout=10)
                pipeline.receive([s], now=T0)
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    assert Alert.objects.count() == rounds
    assert Alert.objects.filter(status="firing").count() == rounds
    # every round's alert is on SRV-LONE: one group, one ticket for all of them
    assert AlertGroup.objects.count() == 1
    assert Ticket.objects.filter(channel="monitoring").count() == 1
