"""The parser's fast path (one regex for the common simple sample line) gives exactly
what the full parser gives, for every text: same families, samples, errors."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careops.logic import promtext

_name = st.sampled_from(["a", "b_total", "c_bucket", "c_sum", "c", "d:e", "_x", "9z"])
_label_name = st.sampled_from(["le", "a", "b", "__name__", "x y", "9"])
_label_value = st.sampled_from(["", "v", "a b", "}{", '\\"', "\\n", "\\\\", "\\t", "é"])
_value = st.sampled_from(["1", "-2.5", "1e3", ".5", "5.", "NaN", "+Inf", "-Inf", "nan",
                          "inf", "1_0", "0x10", "", "Infinity", "+1", "1E-3"])
_ts = st.sampled_from(["", " 1700000000000", " -5", " 1.5", " x", "  12"])
_sep = st.sampled_from([" ", "  ", "\t", ""])


@st.composite
def _sample_line(draw: st.DrawFn) -> str:
    name = draw(_name)
    labels = draw(st.lists(st.tuples(_label_name, _label_value), max_size=3))
    text = name
    if labels or draw(st.booleans()):
        pairs = ",".join(f'{k}="{v}"' for k, v in labels)
        text += "{" + pairs + draw(st.sampled_from(["", ","])) + "}"
    return text + draw(_sep) + draw(_value) + draw(_ts) + draw(st.sampled_from(["", " ", "\r"]))


_comment = st.sampled_from(["# TYPE c histogram", "# TYPE b counter", "# HELP a help",
                            "# TYPE a gauge", "# just a comment", "# HELP c_sum x", ""])


def _both(text: str) -> tuple[object, object]:
    def outcome(fast: bool) -> object:
        original = promtext._FAST_LINE_RE
        if not fast:
            promtext._FAST_LINE_RE = re.compile(r"(?!)")
        try:
            errors: list[promtext.ParseError] = []
            families = promtext.parse(text, errors=errors)
            return ([(f.name, f.type, f.help, [(s.name, s.labels, _v(s.value), s.timestamp_ms)
                                               for s in f.samples])
                     for f in families.values()],
                    [(e.line_number, e.reason) for e in errors])
        finally:
            promtext._FAST_LINE_RE = original

    return outcome(True), outcome(False)


def _v(value: float) -> object:
    return "nan" if math.isnan(value) else value


@settings(max_examples=400)
@given(st.lists(st.one_of(_sample_line(), _comment), max_size=12))
def test_the_fast_path_agrees_with_the_full_parser(lines: list[str]) -> None:
    fast, full = _both("\n".join(lines))
    assert fast == full


@pytest.mark.parametrize("line", ['a{x="1",x="2"} 1', 'a{x="1"}1', 'a{x="1"b="2"} 1',
                                  "a 1 2 3", 'a{x="\\q"} 1'])
def test_lines_the_fast_path_must_not_accept_are_errors_as_before(line: str) -> None:
    fast, full = _both(line)
    assert fast == full
    assert fast[1]  # type: ignore[index]
