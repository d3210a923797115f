"""The metric store interface: the embedded store (the platform's database) and a
Prometheus-compatible store (VictoriaMetrics) both implement it; ``get_store()`` returns
the one the settings choose (docs/monitoring.md)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from careops.logic.metrics import Selector, Series
from careops.logic.promtext import Sample

ITEM_LABEL = "careops_item"


def item_label_values(item_ids: Collection[int]) -> set[str]:
    """The values the ``careops_item`` label of ``item_ids``' series have: the items' CMDB
    codes (what CareOps' collector and the file_sd export write). Never ids: a code may
    be all digits, and an id read as a label could name another item's series."""
    from careops.cmdb.models import ConfigItem

    return set(ConfigItem.objects.filter(pk__in={int(pk) for pk in item_ids})
               .values_list("code", flat=True))


class StoreError(Exception):
    """The store could not answer (unreachable, refused the query); the message is a
    short reason, fit to show."""


@dataclass(frozen=True)
class StoreHealth:
    backend: str
    reachable: bool
    buffered: int = 0  # samples waiting for the store to come back
    dropped: int = 0  # samples lost beyond the buffer's bound since the process started
    detail: str = ""


class MetricStore(ABC):
    name = ""

    @abstractmethod
    def write(self, samples: Sequence[Sample], *, default_ts_ms: int,
              extra_labels: dict[str, str] | None = None) -> int:
        """Store ``samples`` (those without a timestamp at ``default_ts_ms``), each with
        ``extra_labels`` added; return how many were accepted."""

    @abstractmethod
    def select(self, selector: Selector, start_ms: int, end_ms: int) -> list[Series]:
        """The raw points of every series ``selector`` matches, start and end included."""

    @abstractmethod
    def query_range(self, expr: str, start_ms: int, end_ms: int, step_ms: int) -> list[Series]:
        """Evaluate the PromQL expression ``expr`` at every step from start to end."""

    def query_range_scoped(self, expr: str, start_ms: int, end_ms: int, step_ms: int, *,
                           item_ids: Collection[int]) -> list[Series]:
        """``query_range`` that sees only the series of ``item_ids`` (their
        ``careops_item`` label), whatever the expression: for users who may see only some
        items. Stores override it to filter what the expression reads; this fallback
        filters what it returns, keeping only series that name a visible item."""
        wanted = item_label_values(item_ids)
        return [s for s in self.query_range(expr, start_ms, end_ms, step_ms)
                if s.labels.get(ITEM_LABEL) in wanted]

    @abstractmethod
    def health(self) -> StoreHealth:
        """Whether the store is reachable, and the buffer and loss counters."""

    def flush(self) -> None:  # noqa: B027 (optional: stores that buffer override it)
        """Send what is buffered, if the store is back. Called periodically."""
