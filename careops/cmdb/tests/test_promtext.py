"""The Prometheus text format parser (careops.logic.promtext)."""

from __future__ import annotations

import math
import string
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from careops.logic import promtext
from careops.logic.promtext import ParseError, parse

EXAMPLE = """\
# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# Escaping in label values:
@MSDOS@

# Minimalistic line:
metric_without_timestamp_and_labels 12.47

# A weird metric from before the epoch:
something_weird{problem="division by zero"} +Inf -3982045

# A histogram, which has a pretty complex representation in the text format:
# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320

# Finally a summary, which has a complex representation, too:
# HELP rpc_duration_seconds A summary of the RPC duration in seconds.
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.01"} 3102
rpc_duration_seconds{quantile="0.5"} NaN
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
""".replace("@MSDOS@", (
    'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",'
    'error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9'))


def test_it_reads_the_documentation_example() -> None:
    families = parse(EXAMPLE)
    assert list(families) == ["http_requests_total", "msdos_file_access_time_seconds",
                              "metric_without_timestamp_and_labels", "something_weird",
                              "http_request_duration_seconds", "rpc_duration_seconds"]
    requests = families["http_requests_total"]
    assert requests.type == "counter"
    assert requests.help == "The total number of HTTP requests."
    assert requests.samples[1] == promtext.Sample(
        "http_requests_total", {"method": "post", "code": "400"}, 3.0, 1395066363000)
    msdos = families["msdos_file_access_time_seconds"].samples[0]
    assert msdos.labels == {"path": "C:\\DIR\\FILE.TXT",
                            "error": 'Cannot find file:\n"FILE.TXT"'}
    assert families["msdos_file_access_time_seconds"].type == "untyped"
    weird = families["something_weird"].samples[0]
    assert weird.value == math.inf and weird.timestamp_ms == -3982045
    histogram = families["http_request_duration_seconds"]
    assert histogram.type == "histogram"
    assert [s.name for s in histogram.samples] == [
        "http_request_duration_seconds_bucket", "http_request_duration_seconds_bucket",
        "http_request_duration_seconds_sum", "http_request_duration_seconds_count"]
    summary = families["rpc_duration_seconds"]
    assert len(summary.samples) == 4 and math.isnan(summary.samples[1].value)


def test_it_accepts_tabs_trailing_commas_crlf_and_braces_in_values() -> None:
    families = parse('a{x="}{",y="a b",} \t 1\r\nb\t-2.5e-3\r\n# TYPE c gauge\r\nc{} 0\r\n')
    assert families["a"].samples[0].labels == {"x": "}{", "y": "a b"}
    assert families["b"].samples[0].value == -0.0025
    assert families["c"].type == "gauge" and families["c"].samples[0].labels == {}


@pytest.mark.parametrize(("text", "line", "reason"), [
    ("ok 1\nfoo{a=\"b\" 1\n", 2, "missing closing brace"),
    ("ok 1\n\nfoo bar\n", 3, "is not a number"),
    ("foo{a=\"b\"}1\n", 1, "expected a space"),
    ("foo 1 2 3\n", 1, "unexpected text"),
    ("foo 1 12.5\n", 1, "timestamp"),
    ("foo{a=\"1\",a=\"2\"} 1\n", 1, "duplicate label"),
    ("foo{1a=\"x\"} 1\n", 1, "invalid label name"),
    ("foo{a=x} 1\n", 1, "malformed label set"),
    ("foo{a=\"\\t\"} 1\n", 1, "unknown escape"),
    ("# TYPE foo gauge\n# TYPE foo counter\n", 2, "second TYPE"),
    ("# TYPE foo meter\n", 1, "unknown metric type"),
    ("foo 1\n# TYPE foo gauge\n", 2, "after its samples"),
    ("<html><body>Not Found</body></html>\n", 1, "expected a metric name"),
    ("foo\n", 1, "missing value"),
    ("foo 1_000\n", 1, "is not a number"),
])
def test_it_names_the_bad_line_and_why(text: str, line: int, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert caught.value.line_number == line
    assert reason in str(caught.value)
    assert str(caught.value).startswith(f"line {line}: ")


def test_it_can_skip_bad_lines_and_report_them() -> None:
    errors: list[ParseError] = []
    families = parse("good 1\njunk here\nalso_good{a=\"1\"} 2\n", errors=errors)
    assert [f for f in families] == ["good", "also_good"]
    assert [e.line_number for e in errors] == [2]


def test_it_keeps_plain_comments_out_of_help() -> None:
    families = parse("# just a comment\n#HELP x Text with  two  spaces\nx 1\n")
    assert families["x"].help == "Text with  two  spaces"


# --- Round trip: render random families, parse them back -----------------------------

FIRST = string.ascii_letters + "_"
REST = FIRST + string.digits
metric_names = st.builds(str.__add__, st.sampled_from(FIRST + ":"),
                         st.text(alphabet=REST + ":", max_size=15))
label_names = st.builds(str.__add__, st.sampled_from(FIRST), st.text(alphabet=REST, max_size=10))
values = st.floats(allow_nan=True, allow_infinity=True)
timestamps = st.none() | st.integers(min_value=-(2 ** 62), max_value=2 ** 62)
samples = st.tuples(st.dictionaries(label_names, st.text(max_size=20), max_size=4), values,
                    timestamps)
helps = st.none() | st.text(max_size=40).filter(
    lambda t: not t[:1].isspace() and not t.endswith("\r"))
families_strategy = st.lists(
    st.tuples(metric_names, st.sampled_from(["counter", "gauge", "untyped", "histogram",
                                             None]), helps,
              st.lists(samples, min_size=1, max_size=4)),
    max_size=6, unique_by=lambda f: f[0])
SUFFIXES = ("_bucket", "_sum", "_count", "_created", "_total")


def escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render_value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)


def render(families: list[tuple[str, str | None, str | None, list[tuple[dict[str, str], float,
                                                                        int | None]]]]) -> str:
    lines = []
    for name, kind, help_text, rows in families:
        if help_text is not None:
            lines.append(f"# HELP {name} " + help_text.replace("\\", "\\\\")
                         .replace("\n", "\\n"))
        if kind is not None:
            lines.append(f"# TYPE {name} {kind}")
        for index, (labels, value, timestamp) in enumerate(rows):
            sample_name = name
            if kind == "histogram":
                sample_name += ("_bucket", "_sum", "_count")[index % 3]
            pairs = ",".join(f'{k}="{escape_label(v)}"' for k, v in labels.items())
            text = f"{sample_name}{{{pairs}}} {render_value(value)}" if labels or index % 2 \
                else f"{sample_name} {render_value(value)}"
            if timestamp is not None:
                text += f" {timestamp}"
            lines.append(text)
    return "\n".join(lines) + "\n"


def same_value(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=150, deadline=None)
@given(families_strategy)
def test_it_parses_back_what_was_rendered(generated: list[tuple[Any, ...]]) -> None:
    names = [f[0] for f in generated]
    # A family "x" next to one called "x_sum" is ambiguous in the format itself.
    assume(not any(a + s == b for a in names for b in names for s in SUFFIXES))
    parsed = parse(render(generated))
    assert list(parsed) == names
    for name, kind, help_text, rows in generated:
        family = parsed[name]
        assert family.type == (kind or "untyped")
        assert family.help == (help_text or "")
        assert len(family.samples) == len(rows)
        for sample, (labels, value, timestamp) in zip(family.samples, rows, strict=True):
            assert sample.labels == labels
            assert same_value(sample.value, value)
            assert sample.timestamp_ms == timestamp


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_it_fails_only_with_a_parse_error_on_any_text(text: str) -> None:
    try:
        parse(text)
    except ParseError as exc:
        assert exc.line_number >= 1
    errors: list[ParseError] = []
    parse(text, errors=errors)  # never raises when collecting


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_a_written_value_parses_back_to_itself(value: float) -> None:
    back = promtext.parse_value(promtext.format_value(value))
    assert (math.isnan(back) and math.isnan(value)) or back == value


@given(st.text())
def test_a_written_label_value_parses_back_to_itself(value: str) -> None:
    line = f'x{{a="{promtext.escape_label_value(value)}"}} 1'
    [sample] = list(promtext.samples(line))
    assert sample.labels == {"a": value}
