"""``scrape``: read a Prometheus /metrics endpoint (node_exporter, windows_exporter,
postgres_exporter, mysqld_exporter, any exporter).

target  ``host:port`` (with params ``scheme``, default http, and ``path``, default
        /metrics) or a whole ``http(s)://…`` URL.
params  ``sample_limit`` (default 50,000): more samples reject the scrape;
        ``max_bytes``: at most CAREOPS_SCRAPE_MAX_BYTES (the default);
        ``verify_tls`` (default true); ``headers`` (extra request headers).
credential  when set, HTTP basic authentication.

Besides the exporter's samples (their own timestamps kept), the result has ``up``,
``scrape_duration_seconds`` and ``scrape_samples_scraped``, as Prometheus adds them.
Redirects are not followed; gzip is accepted; the body is streamed and the scrape
rejected as soon as it passes the limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from careops.logic import promtext
from careops.logic.promtext import Sample
from careops.monitoring.collectors import httpfetch
from careops.monitoring.collectors.base import (
    CheckSpec,
    CollectResult,
    deadline_for,
    failed,
    host_port,
    max_body_bytes,
    param_bool,
    param_int,
    param_str,
    rejected,
)

DEFAULT_SAMPLE_LIMIT = 50_000
ACCEPT = "text/plain;version=0.0.4;q=1,*/*;q=0.1"
PARAMS = frozenset({"scheme", "path", "sample_limit", "max_bytes", "verify_tls", "headers"})


@dataclass(frozen=True)
class ScrapeOptions:
    url: httpfetch.Url
    max_bytes: int
    sample_limit: int
    headers: Mapping[str, str]
    verify_tls: bool


def scrape_url(spec: CheckSpec) -> httpfetch.Url:
    if "://" in spec.target:
        return httpfetch.parse_url(spec.target)
    scheme = param_str(spec.params, "scheme", "http")
    path = param_str(spec.params, "path", "/metrics") or "/metrics"
    if scheme not in ("http", "https"):
        raise failed(_("Parameter scheme must be http or https."))
    if not path.startswith("/"):
        path = "/" + path
    host, port = host_port(spec.target, 443 if scheme == "https" else 80)
    return httpfetch.Url(scheme, host, port, path)


def headers_param(spec: CheckSpec) -> dict[str, str]:
    headers: Any = spec.params.get("headers") or {}
    if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and "\n" not in k + v and "\r" not in k + v
            for k, v in headers.items()):
        raise failed(_("Parameter headers must map header names to texts."))
    return dict(headers)


def prepare(spec: CheckSpec) -> ScrapeOptions:
    """The target and params of a scrape, parsed; CollectError if wrong. No I/O."""
    url = scrape_url(spec)
    limit = max_body_bytes()
    max_bytes = param_int(spec.params, "max_bytes", limit, minimum=1, maximum=limit)
    sample_limit = param_int(spec.params, "sample_limit", DEFAULT_SAMPLE_LIMIT, minimum=1)
    headers = headers_param(spec)
    verify_tls = param_bool(spec.params, "verify_tls", True)
    return ScrapeOptions(url, max_bytes, sample_limit, headers, verify_tls)


def collect(spec: CheckSpec) -> CollectResult:
    deadline = deadline_for(spec)
    options = prepare(spec)
    headers = {"Accept": ACCEPT,
               "X-Prometheus-Scrape-Timeout-Seconds": f"{spec.timeout_s:g}",
               **options.headers}
    answer = httpfetch.fetch(options.url, deadline=deadline, max_bytes=options.max_bytes,
                             headers=headers, verify_tls=options.verify_tls,
                             credential=spec.credential)
    if 300 <= answer.status < 400:
        raise failed(_("HTTP %(status)s: a redirect, which is not followed.")
                     % {"status": answer.status})
    if answer.status != 200:
        raise failed(_("HTTP %(status)s") % {"status": answer.status})
    samples = parse_body(answer.body, options.sample_limit)
    duration = deadline.elapsed()
    samples.append(Sample("up", {}, 1.0))
    samples.append(Sample("scrape_duration_seconds", {}, round(duration, 6)))
    samples.append(Sample("scrape_samples_scraped", {}, float(len(samples) - 2)))
    return CollectResult(samples)


def parse_body(body: bytes, sample_limit: int) -> list[Sample]:
    """The samples of an exposition body; rejected (with the first bad line's number,
    not its text) when it is not Prometheus text or has more than ``sample_limit``."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise rejected(_("The body is not UTF-8 text.")) from None
    try:
        families = promtext.parse(text)
    except promtext.ParseError as exc:
        raise rejected(_("Not Prometheus text format: first bad line is line %(line)s.")
                       % {"line": exc.line_number}) from None
    samples: list[Sample] = []
    for family in families.values():
        samples.extend(family.samples)
        if len(samples) > sample_limit:
            raise rejected(_("More than %(limit)s samples (sample_limit).")
                           % {"limit": sample_limit})
    return samples
