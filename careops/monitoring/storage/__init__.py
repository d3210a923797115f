"""Metric stores: :func:`get_store` returns the one CAREOPS_METRICS_BACKEND chooses, one
instance per process (its series cache or its buffer live there)."""

from __future__ import annotations

import threading

from django.conf import settings

from careops.monitoring.storage.base import MetricStore, StoreError, StoreHealth

__all__ = ["MetricStore", "StoreError", "StoreHealth", "get_store", "reset_store"]

_store: MetricStore | None = None
_lock = threading.Lock()


def make_store(backend: str | None = None) -> MetricStore:
    """A new store of ``backend`` (default: the configured one)."""
    backend = backend or settings.CAREOPS_METRICS_BACKEND
    if backend == "victoriametrics":
        from careops.monitoring.storage.victoriametrics import VictoriaMetricsStore

        return VictoriaMetricsStore(settings.CAREOPS_VICTORIAMETRICS_URL or "",
                                    buffer_samples=settings.CAREOPS_METRICS_BUFFER_SAMPLES)
    if backend == "embedded":
        from careops.monitoring.storage.embedded import EmbeddedStore

        return EmbeddedStore()
    raise ValueError(f"unknown metric store backend {backend!r}")


def get_store() -> MetricStore:
    """The configured store of this process."""
    global _store
    with _lock:
        if _store is None or _store.name != settings.CAREOPS_METRICS_BACKEND:
            _store = make_store()
        return _store


def reset_store() -> None:
    """Forget this process's store (tests that change the settings)."""
    global _store
    with _lock:
        _store = None
