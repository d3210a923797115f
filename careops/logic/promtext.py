"""A parser of the Prometheus text exposition format (version 0.0.4).

    # HELP http_requests_total The total number of HTTP requests.
    # TYPE http_requests_total counter
    http_requests_total{method="post",code="200"} 1027 1395066363000
    http_requests_total{method="post",code="400"}    3 1395066363000

What it accepts, following https://prometheus.io/docs/instrumenting/exposition_formats/:

- ``# HELP name text`` (``\\\\`` and ``\\n`` escapes) and ``# TYPE name type`` with type
  counter, gauge, histogram, summary or untyped; other ``#`` lines are comments;
- samples ``name{label="value",…} value [timestamp]``: label values with ``\\\\``,
  ``\\"`` and ``\\n`` escapes, a trailing comma, spaces or tabs between tokens;
- values as Go writes them: decimals, exponents, ``NaN``, ``+Inf``, ``-Inf``;
  timestamps as integer milliseconds;
- samples whose name has no TYPE line are "untyped" families of their own;
  histogram and summary samples (``_bucket``, ``_sum``, ``_count``, ``_created``)
  and counter ``_total`` samples join the family their TYPE line names.

A line that is none of these raises :class:`ParseError` naming the line number, the
reason and the line. With ``errors=[]`` bad lines are collected there and skipped, for
callers that prefer what can be read to nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

METRIC_TYPES = frozenset({"counter", "gauge", "histogram", "summary", "untyped"})
# Suffixes of the samples that make up one family of these types.
_FAMILY_SUFFIXES = {
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("_sum", "_count", "_created"),
    "counter": ("_total", "_created"),
}

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_NAME_RE = re.compile(_NAME)
_LABEL_NAME_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
_COMMENT_RE = re.compile(r"#[ \t]*(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?\Z", re.DOTALL)
# One label pair at a position: name = "value" and the separator after it.
_LABEL_RE = re.compile(r'[ \t]*([^=\s]*)[ \t]*=[ \t]*"((?:[^"\\]|\\.)*)"[ \t]*(,|\Z)', re.DOTALL)
_FLOAT_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_INT_RE = re.compile(r"[+-]?[0-9]+\Z")
_SPECIAL = {"nan": math.nan, "+inf": math.inf, "inf": math.inf, "-inf": -math.inf}
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n"}
_ESCAPE_RE = re.compile(r"\\(.)", re.DOTALL)

# The fast path: the common simple sample line (single spaces, label values without
# escapes, a plain decimal value) in one regex. Lines it does not match, or that it
# matches with a repeated label name, go through the full parser, which gives the same
# result for every line the fast path accepts and the errors for the rest.
_FAST_PAIR = r'[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*"'
_FAST_LINE_RE = re.compile(
    r"([a-zA-Z_:][a-zA-Z0-9_:]*)"
    r"(?:\{(" + _FAST_PAIR + r"(?:," + _FAST_PAIR + r")*,?)?\})?"
    r" ([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|NaN|\+Inf|-Inf)"
    r"(?: ([+-]?[0-9]+))?")
_FAST_LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="([^"\\]*)"')
_FAST_SPECIAL = {"NaN": math.nan, "+Inf": math.inf, "-Inf": -math.inf}


class ParseError(ValueError):
    """A line that is not Prometheus text format."""

    def __init__(self, line_number: int, line: str, reason: str) -> None:
        self.line_number = line_number
        self.line = line
        self.reason = reason
        shown = line if len(line) <= 120 else line[:117] + "..."
        super().__init__(f"line {line_number}: {reason}: {shown!r}")


@dataclass(frozen=True, slots=True)
class Sample:
    name: str
    labels: Mapping[str, str]
    value: float
    timestamp_ms: int | None = None


@dataclass(slots=True)
class MetricFamily:
    name: str
    type: str = "untyped"
    help: str = ""
    samples: list[Sample] = field(default_factory=list)


class _Reject(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _unescape(text: str, allowed: str) -> str:
    if "\\" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        char = match.group(1)
        if char not in allowed:
            raise _Reject(f"unknown escape \\{char}")
        return _ESCAPES[char]

    return _ESCAPE_RE.sub(replace, text)


def format_value(value: float) -> str:
    """A sample value as the exposition format (and the Prometheus API) writes it:
    ``NaN``, ``+Inf``, ``-Inf``, else Python's shortest round-tripping repr."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def escape_label_value(value: str) -> str:
    """A label value for between double quotes (backslash, quote and newline escaped)."""
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def parse_value(token: str) -> float:
    """A sample value as Go's exposition writes it; ValueError otherwise."""
    special = _SPECIAL.get(token.lower())
    if special is not None:
        return special
    if not _FLOAT_RE.match(token):
        raise ValueError(f"{token!r} is not a number")
    return float(token)


def _parse_labels(text: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    if not text.strip(" \t"):
        return labels
    pos = 0
    end = len(text)
    while pos < end:
        match = _LABEL_RE.match(text, pos)
        if match is None:
            raise _Reject("malformed label set (expected name=\"value\" pairs)")
        name = match.group(1)
        if not _LABEL_NAME_RE.match(name):
            raise _Reject(f"invalid label name {name!r}")
        if name in labels:
            raise _Reject(f"duplicate label {name!r}")
        labels[name] = _unescape(match.group(2), '\\"n')
        pos = match.end()
        if match.group(3) == ",":
            if not text[pos:].strip(" \t"):
                break  # a trailing comma
        elif pos < end:  # pragma: no cover - the regex ends at "," or the end
            raise _Reject("malformed label set")
    return labels


def _parse_sample(line: str) -> Sample:
    match = _NAME_RE.match(line)
    if match is None:
        raise _Reject("expected a metric name")
    name = match.group()
    pos = match.end()
    while pos < len(line) and line[pos] in " \t":
        pos += 1
    labels: dict[str, str] = {}
    if pos < len(line) and line[pos] == "{":
        # The last brace closes the set: label values may hold "}" but values cannot.
        close = line.rfind("}")
        if close < pos:
            raise _Reject("missing closing brace of the label set")
        labels = _parse_labels(line[pos + 1:close])
        rest = line[close + 1:]
    else:
        rest = line[match.end():]
    if rest and rest[0] not in " \t":
        raise _Reject("expected a space after the metric name or labels")
    tokens = rest.split()
    if not tokens:
        raise _Reject("missing value")
    if len(tokens) > 2:
        raise _Reject("unexpected text after the timestamp")
    try:
        value = parse_value(tokens[0])
    except ValueError:
        raise _Reject(f"{tokens[0]!r} is not a number") from None
    timestamp: int | None = None
    if len(tokens) == 2:
        if not _INT_RE.match(tokens[1]):
            raise _Reject(f"timestamp {tokens[1]!r} is not an integer")
        timestamp = int(tokens[1])
    return Sample(name, labels, value, timestamp)


def _family_name(sample_name: str, families: Mapping[str, MetricFamily]) -> str:
    if sample_name in families:
        return sample_name
    for family_type, suffixes in _FAMILY_SUFFIXES.items():
        for suffix in suffixes:
            if sample_name.endswith(suffix):
                base = sample_name[: -len(suffix)]
                found = families.get(base)
                if found is not None and found.type == family_type:
                    return base
    return sample_name


def _parse_comment(line: str, families: dict[str, MetricFamily],
                   typed: set[str], helped: set[str]) -> None:
    match = _COMMENT_RE.match(line)
    if match is None:
        return  # a plain comment
    keyword, name, rest = match.groups("")
    if not _NAME_RE.fullmatch(name):
        raise _Reject(f"invalid metric name {name!r} in {keyword}")
    family = families.get(name)
    if keyword == "TYPE":
        metric_type = rest.strip(" \t")
        if metric_type not in METRIC_TYPES:
            raise _Reject(f"unknown metric type {metric_type!r}")
        if name in typed:
            raise _Reject(f"second TYPE line for {name}")
        if family is not None and family.samples:
            raise _Reject(f"TYPE line for {name} after its samples")
        typed.add(name)
        if family is None:
            families[name] = MetricFamily(name, metric_type)
        else:
            family.type = metric_type
        return
    if name in helped:
        raise _Reject(f"second HELP line for {name}")
    helped.add(name)
    text = _unescape(rest, "\\n")
    if family is None:
        families[name] = MetricFamily(name, help=text)
    else:
        family.help = text


def parse(text: str, *, errors: list[ParseError] | None = None) -> dict[str, MetricFamily]:
    """The metric families of ``text``, in the order they first appear.

    Raises :class:`ParseError` at the first bad line, unless ``errors`` is a list:
    then every bad line is appended to it and skipped.
    """
    families: dict[str, MetricFamily] = {}
    typed: set[str] = set()
    helped: set[str] = set()
    fast_match = _FAST_LINE_RE.fullmatch
    fast_labels = _FAST_LABEL_RE.findall
    special = _FAST_SPECIAL
    # The family of the last sample name seen; forgotten at every comment line, which
    # may create a family that changes where a name belongs.
    last_name = ""
    last_family: MetricFamily | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        fast = None if raw[:1] == "#" else fast_match(raw)
        if fast is not None:
            name, label_text, value_text, ts_text = fast.groups()
            if label_text:
                pairs = fast_labels(label_text)
                labels = dict(pairs)
                if len(labels) != len(pairs):
                    fast = None  # a repeated label: the full parser says so
            else:
                labels = {}
            if fast is not None:
                value = special.get(value_text)
                sample = Sample(name, labels, float(value_text) if value is None else value,
                                None if ts_text is None else int(ts_text))
                if name == last_name and last_family is not None:
                    last_family.samples.append(sample)
                    continue
                _add_sample(sample, families)
                last_name = name
                last_family = families[_family_name(name, families)]
                continue
        line = raw[:-1] if raw.endswith("\r") else raw
        stripped = line.lstrip(" \t")
        if not stripped.rstrip(" \t"):
            continue
        try:
            if stripped[0] == "#":
                last_name, last_family = "", None
                _parse_comment(stripped, families, typed, helped)
                continue
            sample = _parse_sample(stripped)
        except _Reject as exc:
            error = ParseError(number, line, exc.reason)
            if errors is None:
                raise error from None
            errors.append(error)
            continue
        _add_sample(sample, families)
        last_name, last_family = "", None
    return families


def _add_sample(sample: Sample, families: dict[str, MetricFamily]) -> None:
    name = _family_name(sample.name, families)
    family = families.get(name)
    if family is None:
        family = families[name] = MetricFamily(name)
    family.samples.append(sample)


def samples(text: str, *, errors: list[ParseError] | None = None) -> Iterator[Sample]:
    """Every sample of ``text``, whatever its family."""
    for family in parse(text, errors=errors).values():
        yield from family.samples


def by_name(families: Mapping[str, MetricFamily]) -> dict[str, list[Sample]]:
    """The samples of ``families`` grouped by their own (not their family's) name."""
    grouped: dict[str, list[Sample]] = {}
    for family in families.values():
        for sample in family.samples:
            grouped.setdefault(sample.name, []).append(sample)
    return grouped
