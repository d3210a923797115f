"""The collectors, one module per check kind, each with ``collect(spec) -> CollectResult``
(docs/monitoring-collect.md). Run a check with :func:`run`: it dispatches by kind, enforces
the timeout and never raises. Modules are imported when first used, so a kind whose module
is missing answers "collector not available" instead of breaking the others."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from careops.monitoring.collectors.base import (
    CheckSpec,
    CollectError,
    CollectResult,
    Credential,
    run,
)

# kind -> module under careops.monitoring.collectors defining collect(spec)
COLLECTORS: dict[str, str] = {
    "scrape": "scrape",
    "ping": "ping",
    "tcp": "tcp",
    "http": "http",
    "soap": "soap",
    "dns": "dns",
    "ssh": "ssh",
    "mllp": "mllp",
    "postgres": "postgres",
    "mysql": "mysql",
}


def get_collector(kind: str) -> Callable[[CheckSpec], CollectResult] | None:
    """The collect function of ``kind``, or None when there is none (yet)."""
    module_name = COLLECTORS.get(kind)
    if module_name is None:
        return None
    try:
        module = importlib.import_module(f"{__name__}.{module_name}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.endswith(f"collectors.{module_name}"):
            return None
        raise
    collect = getattr(module, "collect", None)
    return collect if callable(collect) else None


__all__ = ["COLLECTORS", "CheckSpec", "CollectError", "CollectResult", "Credential",
           "get_collector", "run"]
