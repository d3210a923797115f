"""Collectors: ``run(spec)`` runs one check and returns its samples; never raises.

STAND-IN written by the "store" part (only "scrape"), to the agreed interface; the
"collect" part's version replaces it at merge.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

from careops.logic import promtext
from careops.monitoring.collectors.base import CheckSpec, CollectResult

MAX_BODY = 10 * 1024 * 1024


def _scrape(spec: CheckSpec) -> CollectResult:
    path = str(spec.params.get("path") or "/metrics")
    url = f"http://{spec.target}{path}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=spec.timeout_s) as answer:
            body = answer.read(MAX_BODY + 1)
    except TimeoutError:
        return CollectResult([], "timeout", "no answer within the timeout")
    except urllib.error.HTTPError as exc:
        return CollectResult([], "failed", f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return CollectResult([], "timeout", "no answer within the timeout")
        return CollectResult([], "failed", str(reason)[:300])
    if len(body) > MAX_BODY:
        return CollectResult([], "rejected", "body larger than the limit")
    try:
        samples = list(promtext.samples(body.decode("utf-8")))
    except (UnicodeDecodeError, promtext.ParseError) as exc:
        return CollectResult([], "rejected", str(exc)[:300])
    return CollectResult(samples)


def run(spec: CheckSpec) -> CollectResult:
    if spec.kind == "scrape":
        return _scrape(spec)
    return CollectResult([], "failed", "collector not available")
