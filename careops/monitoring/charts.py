"""The charts of an item's metrics page: PromQL per class of item (node_exporter names
for hosts; ``up`` and ``scrape_duration_seconds``, which the collector writes for every
check, for the others). The page asks the query API with ``item=<id>``, which limits every
selector to that item's series (docs/monitoring-store.md): the expressions name no item,
so on the embedded store a renamed item's history stays on its charts."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from careops.cmdb.choices import ItemKind

RANGES = (("1h", 3600), ("6h", 6 * 3600), ("24h", 86400), ("7d", 7 * 86400),
          ("30d", 30 * 86400))
POINTS = 300  # per chart and range: step = range / POINTS


@dataclass(frozen=True)
class Chart:
    key: str
    title: str | Promise
    query: str
    unit: str  # "%", "s", "" — how the axis is labelled
    legend: str = ""  # label whose value names each line ("" = the metric name)


HOST_CHARTS = (
    Chart("cpu", _("CPU busy"),
          '100 * (1 - avg by (careops_item) (rate(node_cpu_seconds_total{mode="idle"}[5m])))',
          "%"),
    Chart("memory", _("Memory used"),
          "100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)", "%"),
    Chart("disk", _("Disk space used"),
          '100 * (1 - node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"}'
          ' / node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs"})', "%",
          "mountpoint"),
    Chart("load", _("Load average (1 min)"), "node_load1", ""),
)
PROBE_CHARTS = (
    Chart("success", _("Check success (1 = OK)"), "up", "", "instance"),
    Chart("latency", _("Check duration"), "scrape_duration_seconds", "s", "instance"),
)


def charts_for(kind: str) -> tuple[Chart, ...]:
    if kind == ItemKind.HOST:
        return HOST_CHARTS + PROBE_CHARTS
    return PROBE_CHARTS
