"""``http``: an HTTP(S) probe, like blackbox_exporter's http module.

target  a URL (``http://…`` or ``https://…``).
params  ``method`` (GET; HEAD, POST, PUT, OPTIONS), ``body`` (text sent with POST/PUT),
        ``headers`` (name → text), ``expected_status`` (list of codes, default any 2xx),
        ``keyword`` (text the body must contain), ``verify_tls`` (default true),
        ``max_bytes`` (at most CAREOPS_SCRAPE_MAX_BYTES, the default).
credential  when set, HTTP basic authentication.

Samples: ``probe_success``, ``probe_duration_seconds``, ``probe_http_status_code``,
``probe_http_content_length`` (bytes of the body after gzip), ``probe_http_ssl`` (1 for
https) and, for https, ``probe_ssl_earliest_cert_expiry`` (unix seconds of the server
certificate's notAfter). A wrong status, a missing keyword or a TLS error fail the check;
a body past the limit rejects it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from careops.logic.promtext import Sample
from careops.monitoring.collectors import httpfetch
from careops.monitoring.collectors.base import (
    CheckSpec,
    CollectError,
    CollectResult,
    Credential,
    Deadline,
    deadline_for,
    failed,
    max_body_bytes,
    param_bool,
    param_int,
    param_str,
)
from careops.monitoring.collectors.scrape import headers_param

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "OPTIONS"})
# What request_options() reads (soap shares them).
REQUEST_PARAMS = frozenset({"method", "body", "max_bytes", "headers", "verify_tls"})
PARAMS = REQUEST_PARAMS | {"expected_status", "keyword"}


@dataclass(frozen=True)
class Request:
    """One HTTP request of a check, parsed from its target and params."""
    url: httpfetch.Url
    method: str
    body: bytes | None
    max_bytes: int
    headers: Mapping[str, str]
    verify_tls: bool


@dataclass(frozen=True)
class HttpOptions:
    request: Request
    expected: frozenset[int] | None  # None: any 2xx
    keyword: str


def expected_statuses(params: Mapping[str, Any]) -> frozenset[int] | None:
    """The accepted status codes, or None for "any 2xx"."""
    value = params.get("expected_status")
    if value in (None, "", []):
        return None
    if isinstance(value, int | str):
        value = [value]
    codes: set[int] = set()
    for code in value if isinstance(value, list | tuple) else [None]:
        text = str(code).strip()
        if isinstance(code, bool) or not (text.isascii() and text.isdigit()) or not (
                100 <= int(text) <= 599):
            raise failed(_("Parameter expected_status must be a list of HTTP status codes."))
        codes.add(int(text))
    return frozenset(codes)


def request_options(spec: CheckSpec, *, default_method: str = "GET",
                    extra_headers: Mapping[str, str] | None = None,
                    body: bytes | None = None) -> Request:
    """The request of an http or soap check; CollectError if its target or params are
    wrong. No I/O. ``body``: sent instead of the ``body`` param."""
    url = httpfetch.parse_url(spec.target)
    method = param_str(spec.params, "method", default_method).upper() or default_method
    if method not in METHODS:
        raise failed(_("Parameter method must be one of %(methods)s.")
                     % {"methods": ", ".join(sorted(METHODS))})
    if body is None and spec.params.get("body"):
        body = param_str(spec.params, "body").encode("utf-8")
    limit = max_body_bytes()
    max_bytes = param_int(spec.params, "max_bytes", limit, minimum=1, maximum=limit)
    headers = {**(extra_headers or {}), **headers_param(spec)}
    verify_tls = param_bool(spec.params, "verify_tls", True)
    return Request(url, method, body, max_bytes, headers, verify_tls)


def send(request: Request, deadline: Deadline,
         credential: Credential | None) -> httpfetch.HttpAnswer:
    return httpfetch.fetch(
        request.url, deadline=deadline, method=request.method, max_bytes=request.max_bytes,
        headers=request.headers, body=request.body, verify_tls=request.verify_tls,
        credential=credential)


def answer_samples(answer: httpfetch.HttpAnswer, success: bool,
                   deadline: Deadline) -> list[Sample]:
    samples = [
        Sample("probe_success", {}, 1.0 if success else 0.0),
        Sample("probe_duration_seconds", {}, round(deadline.elapsed(), 6)),
        Sample("probe_http_status_code", {}, float(answer.status)),
        Sample("probe_http_content_length", {}, float(len(answer.body))),
        Sample("probe_http_ssl", {}, 1.0 if answer.tls else 0.0),
    ]
    if answer.cert_not_after is not None:
        samples.append(Sample("probe_ssl_earliest_cert_expiry", {}, answer.cert_not_after))
    return samples


def check_status(answer: httpfetch.HttpAnswer, expected: frozenset[int] | None) -> str:
    """The reason the status is wrong, or ""."""
    if expected is None:
        if 200 <= answer.status < 300:
            return ""
        return _("HTTP %(status)s, expected 2xx") % {"status": answer.status}
    if answer.status in expected:
        return ""
    return _("HTTP %(status)s, expected %(expected)s") % {
        "status": answer.status, "expected": ", ".join(str(c) for c in sorted(expected))}


def keyword_reason(answer: httpfetch.HttpAnswer, keyword: str) -> str:
    if not keyword:
        return ""
    text = answer.body.decode("utf-8", errors="replace")
    if keyword in text:
        return ""
    return _("The body does not contain the keyword.")


def prepare(spec: CheckSpec) -> HttpOptions:
    """The target and params of an HTTP probe, parsed; CollectError if wrong. No I/O."""
    expected = expected_statuses(spec.params)
    keyword = param_str(spec.params, "keyword")
    return HttpOptions(request_options(spec), expected, keyword)


def collect(spec: CheckSpec) -> CollectResult:
    deadline = deadline_for(spec)
    options = prepare(spec)
    answer = send(options.request, deadline, spec.credential)
    reason = (check_status(answer, options.expected)
              or keyword_reason(answer, options.keyword))
    return result(answer, reason, deadline)


def result(answer: httpfetch.HttpAnswer, reason: str, deadline: Deadline) -> CollectResult:
    samples = answer_samples(answer, not reason, deadline)
    if reason:
        return CollectResult(samples, "failed", reason)
    return CollectResult(samples)


__all__ = ["CollectError", "collect"]
