"""Where the collector hands its results on; careops/monitoring/wiring.py installs the
alert pipeline and the rule evaluation here (in AppConfig.ready).

``after_collect`` hooks get the check-status changes (AlertSignal, source "check") of
each batch of finished checks; ``periodic`` hooks run every CAREOPS_RULE_INTERVAL_S
seconds from the collector loop. A hook that raises is logged; the loop goes on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from careops.monitoring.types import AlertSignal

after_collect: list[Callable[[list[AlertSignal]], None]] = []
periodic: list[Callable[[dt.datetime], None]] = []
