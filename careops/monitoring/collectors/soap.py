"""``soap``: POST a SOAP envelope to an interface endpoint (HIS/EMR web services).

target  the endpoint URL.
params  ``body`` (the envelope, required), ``soap_action``, ``soap_version`` ("1.1",
        the default, or "1.2"), ``expect`` (text or a tag name such as
        ``GetStatusResponse`` that the answer must contain), ``expected_status`` (default
        any 2xx), ``headers``, ``verify_tls``, ``max_bytes`` as for ``http``.

A SOAP fault fails the check with its faultstring (SOAP 1.1) or Reason text (1.2),
truncated, whatever the HTTP status. Samples as ``http``, plus ``probe_soap_fault``
(1 when the answer was a fault). The answer is searched with regular expressions, not
parsed as XML, so no entity in it is ever expanded.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from careops.logic.promtext import Sample
from careops.monitoring.collectors import http
from careops.monitoring.collectors.base import (
    CheckSpec,
    CollectResult,
    deadline_for,
    failed,
    param_str,
    short,
)

FAULT_CHARS = 200
_FAULT_RE = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?Fault[\s>/]")
_FAULTSTRING_RE = re.compile(
    rb"<(?:[A-Za-z_][\w.\-]*:)?faultstring[^>]*>(.*?)</(?:[A-Za-z_][\w.\-]*:)?faultstring\s*>",
    re.DOTALL)
_REASON_TEXT_RE = re.compile(
    rb"<(?:[A-Za-z_][\w.\-]*:)?Reason[^>]*>\s*<(?:[A-Za-z_][\w.\-]*:)?Text[^>]*>(.*?)</",
    re.DOTALL)
_TAG_RE = re.compile(r"[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?\Z")
PARAMS = http.REQUEST_PARAMS | {"soap_action", "soap_version", "expect", "expected_status"}


@dataclass(frozen=True)
class SoapOptions:
    request: http.Request  # a POST of the envelope unless params say otherwise
    expected: frozenset[int] | None  # None: any 2xx
    expect: str


def fault_text(body: bytes) -> str | None:
    """The fault's text when ``body`` is a SOAP fault, else None."""
    if not _FAULT_RE.search(body):
        return None
    match = _FAULTSTRING_RE.search(body) or _REASON_TEXT_RE.search(body)
    if match is None:
        return ""
    text = match.group(1).decode("utf-8", errors="replace")
    text = re.sub(r"<!\[CDATA\[(.*?)\]\]>", r"\1", text, flags=re.DOTALL)
    return short(html.unescape(re.sub(r"<[^>]*>", "", text)), FAULT_CHARS)


def expect_found(body: bytes, expect: str) -> bool:
    if not expect:
        return True
    text = body.decode("utf-8", errors="replace")
    if _TAG_RE.match(expect):  # a tag name: with or without a namespace prefix
        local = expect.rsplit(":", 1)[-1]
        return re.search(r"<(?:[A-Za-z_][\w.\-]*:)?" + re.escape(local) + r"[\s>/]",
                         text) is not None
    return expect in text


def prepare(spec: CheckSpec) -> SoapOptions:
    """The target and params of a SOAP probe, parsed; CollectError if wrong. No I/O."""
    envelope = param_str(spec.params, "body")
    if not envelope.strip():
        raise failed(_("Parameter body (the SOAP envelope) is required."))
    action = param_str(spec.params, "soap_action")
    version = str(spec.params.get("soap_version") or "1.1")
    if version == "1.1":
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'}
    elif version == "1.2":
        content_type = "application/soap+xml; charset=utf-8"
        if action:
            content_type += f'; action="{action}"'
        headers = {"Content-Type": content_type}
    else:
        raise failed(_("Parameter soap_version must be 1.1 or 1.2."))
    if any(c in action for c in '"\r\n'):
        raise failed(_("Parameter soap_action must not contain quotes or line breaks."))
    expected = http.expected_statuses(spec.params)
    expect = param_str(spec.params, "expect")
    request = http.request_options(spec, default_method="POST", extra_headers=headers,
                                   body=envelope.encode("utf-8"))
    return SoapOptions(request, expected, expect)


def collect(spec: CheckSpec) -> CollectResult:
    deadline = deadline_for(spec)
    options = prepare(spec)
    expected, expect = options.expected, options.expect
    answer = http.send(options.request, deadline, spec.credential)
    fault = fault_text(answer.body)
    if fault is not None:
        reason = (_("SOAP fault: %(text)s") % {"text": fault}) if fault else _("SOAP fault")
    else:
        reason = http.check_status(answer, expected)
        if not reason and not expect_found(answer.body, expect):
            reason = _("The answer does not contain the expected text.")
    outcome = http.result(answer, reason, deadline)
    outcome.samples.append(Sample("probe_soap_fault", {}, 0.0 if fault is None else 1.0))
    return outcome
