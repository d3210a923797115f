"""The collectors, one module per check kind, each with ``collect(spec) -> CollectResult``
(docs/monitoring-collect.md). Run a check with :func:`run`: it dispatches by kind, enforces
the timeout and never raises. Modules are imported when first used, so a kind whose module
is missing answers "collector not available" instead of breaking the others.

Each module also has ``prepare(spec)``, which parses the target and params as ``collect``
does (no I/O, no credential), and ``PARAMS``, the names it reads: :func:`validate` checks a
check before it is saved with exactly that code."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from django.utils.translation import gettext as _

from careops.monitoring.collectors.base import (
    CheckSpec,
    CollectError,
    CollectResult,
    Credential,
    run,
    short,
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


def _module(kind: str) -> ModuleType | None:
    module_name = COLLECTORS.get(kind)
    if module_name is None:
        return None
    try:
        return importlib.import_module(f"{__name__}.{module_name}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.endswith(f"collectors.{module_name}"):
            return None
        raise


def get_collector(kind: str) -> Callable[[CheckSpec], CollectResult] | None:
    """The collect function of ``kind``, or None when there is none (yet)."""
    module = _module(kind)
    collect = getattr(module, "collect", None)
    return collect if callable(collect) else None


# Read by the scheduler for every kind: ``job``, the job label of the check's samples
# (the endpoint's job for managed scrape checks; the kind when absent).
COMMON_PARAMS = frozenset({"job"})


def validate(kind: str, target: str, params: Mapping[str, Any]) -> dict[str, str]:
    """Why a check of ``kind`` with ``target`` and ``params`` cannot run, as
    ``{field: reason}`` (field "kind", "target" or "params"; one reason, translated), or {}.
    The target and params are parsed by the collector's own ``prepare()``; a param the
    kind does not read is refused. No I/O; the credential is not needed."""
    module = _module(kind) if isinstance(kind, str) else None
    prepare = getattr(module, "prepare", None)
    known: frozenset[str] | None = getattr(module, "PARAMS", None)
    if not callable(prepare) or known is None:
        return {"kind": _("Unknown check kind %(kind)s.") % {"kind": short(str(kind), 40)}}
    if not isinstance(target, str) or not target.strip():
        return {"target": _("The target is required.")}
    if not isinstance(params, Mapping):
        return {"params": _("Parameters must be an object of names and values.")}
    unknown = sorted(str(name) for name in params if name not in known | COMMON_PARAMS)
    if unknown:
        return {"params": _("Unknown parameter %(name)s; this kind takes: %(known)s.") % {
            "name": short(unknown[0], 60), "known": ", ".join(sorted(known | COMMON_PARAMS))}}
    job = params.get("job")
    if job is not None and (not isinstance(job, str) or not 0 < len(job.strip()) <= 100):
        return {"params": _("Parameter job must be a name of at most 100 characters.")}
    try:
        prepare(CheckSpec(kind, target, params))
    except CollectError as exc:
        return {"target" if exc.field == "target" else "params": exc.reason}
    except UnicodeError:  # a lone surrogate from JSON, which no encoding can write
        return {"params": _("Parameters must be valid text.")}
    return {}


__all__ = ["COLLECTORS", "CheckSpec", "CollectError", "CollectResult", "Credential",
           "get_collector", "run", "validate"]
