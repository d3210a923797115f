"""Time series as the metric stores and the rule engine hand them around. Pure Python.

A series is its labels (``__name__`` included) and its points, ``(timestamp_ms, value)``
in time order. A selector is the ``name{label="v", other=~"re"}`` part of a PromQL
expression: the metric name (or None) and label matchers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

NAME_LABEL = "__name__"
MATCH_OPS = ("=", "!=", "=~", "!~")

Point = tuple[int, float]


@dataclass(frozen=True, slots=True)
class Matcher:
    label: str
    op: str  # one of MATCH_OPS
    value: str

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.label, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        hit = _anchored(self.value).fullmatch(actual) is not None
        return hit if self.op == "=~" else not hit


@lru_cache(maxsize=512)
def _anchored(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@dataclass(frozen=True, slots=True)
class Selector:
    name: str | None
    matchers: tuple[Matcher, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.name is not None and labels.get(NAME_LABEL) != self.name:
            return False
        return all(m.matches(labels) for m in self.matchers)


@dataclass(slots=True)
class Series:
    labels: dict[str, str]
    points: list[Point] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.labels.get(NAME_LABEL, "")


def series_key(name: str, labels: Mapping[str, str]) -> str:
    """A stable identity of a series: hex SHA-256 of its name and sorted labels."""
    parts = [name]
    parts.extend(f"{k}\x1f{v}" for k, v in sorted(labels.items()) if k != NAME_LABEL)
    return hashlib.sha256("\x1e".join(parts).encode()).hexdigest()
