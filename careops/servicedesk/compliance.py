"""SLA compliance of a contract so far, from the clocks of its tickets (every version).

Per target (respond, on_site, restore, resolve, report) and priority:

* ``on_time`` — met by its due;
* ``late`` — met after its due (the engine's "breached" with ``met_at``);
* ``breached`` — past its due and still not met;
* ``running`` — not met, not yet due (running or paused).

``percent`` is on time out of the decided clocks (on time + late + breached), ``None``
when none is decided yet. Clocks that have not started (``pending``) or were declared
not needed (``waived``) are not counted: careops.servicedesk.labels.outcome, shared with
the monthly record list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from careops.contracts.models import ContractProfile
from careops.logic.contract import TARGETS
from careops.servicedesk.clocks import clocks_for_many
from careops.servicedesk.labels import outcome
from careops.servicedesk.models import Ticket

BATCH = 500


@dataclass
class Row:
    target: str
    priority: str
    on_time: int = 0
    late: int = 0
    breached: int = 0
    running: int = 0

    @property
    def decided(self) -> int:
        return self.on_time + self.late + self.breached

    @property
    def percent(self) -> float | None:
        return round(100 * self.on_time / self.decided, 1) if self.decided else None


def compliance(profile: ContractProfile, now: dt.datetime) -> list[Row]:
    """Rows ordered by target (contract order) then priority."""
    rows: dict[tuple[str, str], Row] = {}
    tickets = (Ticket.objects.filter(contract_version__profile=profile)
               .select_related("contract_version").order_by("pk"))
    last = 0
    while True:
        batch = list(tickets.filter(pk__gt=last)[:BATCH])
        if not batch:
            break
        last = batch[-1].pk
        for clocks in clocks_for_many(batch, now).values():
            for clock in clocks:
                kind = outcome(clock)
                if kind is None:                      # not started / not needed
                    continue
                row = rows.setdefault((clock.name, clock.priority),
                                      Row(clock.name, clock.priority))
                setattr(row, kind, getattr(row, kind) + 1)
    order = {name: i for i, name in enumerate(TARGETS)}
    return sorted(rows.values(), key=lambda r: (order.get(r.target, len(order)), r.priority))
