"""What the scheduler hands a collector and gets back (the interface of the collectors).

STAND-IN written by the "store" part for its own tests, to the agreed interface; the
"collect" part's version replaces it at merge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from careops.logic.promtext import Sample


@dataclass(frozen=True)
class Credential:
    username: str
    password: str = ""
    private_key: str = ""


@dataclass(frozen=True)
class CheckSpec:
    kind: str
    target: str
    params: Mapping[str, Any]
    timeout_s: float = 10.0
    credential: Credential | None = None
    state: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class CollectResult:
    samples: list[Sample]
    status: str = "ok"
    error: str = ""
    state: dict[str, Any] = field(default_factory=dict)


class CollectError(Exception):
    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
