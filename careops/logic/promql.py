"""A subset of PromQL: parser, formatter and a range evaluator. Pure Python (no Django).

The rule engine, the rule preview and the in-memory metric store evaluate expressions
here; a Prometheus-compatible store (VictoriaMetrics) evaluates them itself. The subset
follows Prometheus 3 semantics (https://prometheus.io/docs/prometheus/latest/querying/):

- number literals (decimal, hexadecimal, ``Inf``, ``NaN``) and durations (``ms s m h d w
  y``, composite like ``1h30m``; a duration where a number is expected is its seconds);
- instant selectors ``name{label="v", other!="v", re=~"a|b", nre!~"c.*"}`` with a five
  minute lookback (the last sample in ``(t - 5m, t]`` wins) and range selectors
  ``name[5m]`` (the samples in ``(t - 5m, t]``) as function arguments;
- functions ``rate irate increase delta deriv predict_linear``, ``avg/min/max/sum/count/
  last/quantile_over_time``, ``absent absent_over_time abs ceil floor round clamp_min
  clamp_max time timestamp vector scalar``;
- aggregations ``sum avg min max count topk bottomk`` with ``by``/``without``;
- binary ``+ - * / % ^``, comparisons ``== != > < >= <=`` (filters, or 0/1 with ``bool``),
  ``and or unless``, vector matching ``on()``/``ignoring()`` with ``group_left``/
  ``group_right``, parentheses and unary minus.

Not in the subset (refused by :func:`parse` with the position): ``offset``, ``@``,
subqueries, string results, other functions and aggregations.

Evaluation fetches each distinct selector once for the whole range (from ``start`` minus
the longest window that selector needs, to ``end``) through the caller's ``select``
function, then slides over the points; nodes work on whole series (one list of values
per series, ``None`` where the series has no value at a step), so label matching is done
once per series, not once per step.
"""

from __future__ import annotations

import heapq
import json
import math
import operator
import re
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from careops.logic.metrics import NAME_LABEL, Matcher, Selector, Series

LOOKBACK_MS = 5 * 60 * 1000
MAX_STEPS = 100_000

__all__ = [
    "LOOKBACK_MS", "Aggregate", "Binary", "Call", "EvalError", "Expr", "ExprError",
    "MatrixSelector", "NumberLiteral", "RangeSelector", "Select", "Unary",
    "VectorMatching", "VectorSelector", "evaluate_instant", "evaluate_range", "format_expr",
    "parse", "selectors", "with_matchers",
]


def gettext_noop(message: str) -> str:
    """Marks a message for translation (Django's makemessages collects it); this module
    stays free of Django, the page translates the message when it shows the error."""
    return message


class Phrase(str):
    """A parameter of an error message that is itself English text to translate."""

    __slots__ = ()


class ExprError(ValueError):
    """An expression outside the subset. ``position`` is 1-based (the character).

    ``reason`` is the English message; ``template`` and ``params`` let a page show it
    translated (``gettext(template) % params``, :class:`Phrase` values translated too)."""

    def __init__(self, position: int, reason: str, **params: str) -> None:
        self.position = position
        self.template = reason
        self.params = params
        self.reason = reason % params if params else reason
        super().__init__(f"at position {position}: {self.reason}")


class EvalError(ExprError):
    """An expression that parses but cannot be evaluated on this data (many-to-many
    matching, duplicate label sets)."""


# --- syntax tree ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RangeSelector(Selector):
    """A selector with the range of a range vector (``name[5m]``)."""

    range_ms: int = 0


@dataclass(frozen=True)
class NumberLiteral:
    value: float
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class VectorSelector:
    selector: Selector
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class MatrixSelector:
    selector: Selector
    range_ms: int
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Expr, ...]
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Aggregate:
    op: str
    expr: Expr
    param: Expr | None = None
    grouping: tuple[str, ...] = ()
    without: bool = False
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class VectorMatching:
    on: bool  # on(...) when True, ignoring(...) when False
    labels: tuple[str, ...] = ()
    card: str = "one-to-one"  # "many-to-one" (group_left), "one-to-many" (group_right)
    include: tuple[str, ...] = ()


@dataclass(frozen=True)
class Binary:
    op: str
    lhs: Expr
    rhs: Expr
    return_bool: bool = False
    matching: VectorMatching | None = None
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Unary:
    op: str  # "-"
    expr: Expr
    pos: int = field(default=0, compare=False)


Expr = NumberLiteral | VectorSelector | MatrixSelector | Call | Aggregate | Binary | Unary

SCALAR, VECTOR, MATRIX = "scalar", "vector", "matrix"

ARITHMETIC = ("+", "-", "*", "/", "%", "^")
COMPARISONS = ("==", "!=", ">", "<", ">=", "<=")
SET_OPS = ("and", "or", "unless")
PRECEDENCE = {"or": 1, "and": 2, "unless": 2, "==": 3, "!=": 3, ">": 3, "<": 3, ">=": 3,
              "<=": 3, "+": 4, "-": 4, "*": 5, "/": 5, "%": 5, "^": 6}
AGGREGATIONS = ("sum", "avg", "min", "max", "count", "topk", "bottomk")
_OTHER_AGGREGATIONS = ("stddev", "stdvar", "quantile", "count_values", "group", "limitk",
                       "limit_ratio")
# name: (argument types, how many of them may be left out at the end, result type)
FUNCTIONS: dict[str, tuple[tuple[str, ...], int, str]] = {
    "rate": ((MATRIX,), 0, VECTOR),
    "irate": ((MATRIX,), 0, VECTOR),
    "increase": ((MATRIX,), 0, VECTOR),
    "delta": ((MATRIX,), 0, VECTOR),
    "deriv": ((MATRIX,), 0, VECTOR),
    "predict_linear": ((MATRIX, SCALAR), 0, VECTOR),
    "avg_over_time": ((MATRIX,), 0, VECTOR),
    "min_over_time": ((MATRIX,), 0, VECTOR),
    "max_over_time": ((MATRIX,), 0, VECTOR),
    "sum_over_time": ((MATRIX,), 0, VECTOR),
    "count_over_time": ((MATRIX,), 0, VECTOR),
    "last_over_time": ((MATRIX,), 0, VECTOR),
    "quantile_over_time": ((SCALAR, MATRIX), 0, VECTOR),
    "absent": ((VECTOR,), 0, VECTOR),
    "absent_over_time": ((MATRIX,), 0, VECTOR),
    "abs": ((VECTOR,), 0, VECTOR),
    "ceil": ((VECTOR,), 0, VECTOR),
    "floor": ((VECTOR,), 0, VECTOR),
    "round": ((VECTOR, SCALAR), 1, VECTOR),
    "clamp_min": ((VECTOR, SCALAR), 0, VECTOR),
    "clamp_max": ((VECTOR, SCALAR), 0, VECTOR),
    "time": ((), 0, SCALAR),
    "timestamp": ((VECTOR,), 0, VECTOR),
    "vector": ((SCALAR,), 0, VECTOR),
    "scalar": ((VECTOR,), 0, SCALAR),
}
_KEEP_NAME = frozenset({"last_over_time"})

_DURATION_UNITS = {"y": 365 * 86_400_000, "w": 7 * 86_400_000, "d": 86_400_000,
                   "h": 3_600_000, "m": 60_000, "s": 1000, "ms": 1}
_UNIT_ORDER = ("y", "w", "d", "h", "m", "s", "ms")


def type_of(expr: Expr) -> str:
    if isinstance(expr, NumberLiteral):
        return SCALAR
    if isinstance(expr, MatrixSelector):
        return MATRIX
    if isinstance(expr, Call):
        return FUNCTIONS[expr.func][2]
    if isinstance(expr, Binary):
        return SCALAR if type_of(expr.lhs) == SCALAR and type_of(expr.rhs) == SCALAR else VECTOR
    if isinstance(expr, Unary):
        return type_of(expr.expr)
    return VECTOR


# --- lexer ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # num dur ident str op ( ) { } [ ] , : eof
    text: str
    pos: int  # 1-based


_TOKEN_RE = re.compile(r"""
    (?P<space>[ \t\r\n]+|\#[^\n]*)
  | (?P<dur>(?:[0-9]+(?:ms|[smhdwy]))+)(?![a-zA-Z0-9_.])
  | (?P<num>0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<ident>[a-zA-Z_:][a-zA-Z0-9_:]*)
  | (?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)
  | (?P<op>==|!=|>=|<=|=~|!~|[-+*/%^<>=])
  | (?P<punct>[(){}\[\],:@])
""", re.VERBOSE)


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    pos, end = 0, len(text)
    while pos < end:
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            ch = text[pos]
            if ch in "\"'`":
                raise ExprError(pos + 1, gettext_noop("unterminated string"))
            raise ExprError(pos + 1, gettext_noop("unexpected character %(char)s"),
                            char=repr(ch))
        kind = m.lastgroup or ""
        if kind != "space":
            value = m.group()
            out.append(_Token(value if kind == "punct" else kind, value, pos + 1))
        pos = m.end()
    out.append(_Token("eof", "", end + 1))
    return out


_STRING_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
                   "v": "\v", "\\": "\\", '"': '"', "'": "'"}
_ESCAPE_RE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)",
                        re.DOTALL)


def _unquote(tok: _Token) -> str:
    body = tok.text[1:-1]
    if tok.text[0] == "`":
        return body

    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc[0] in "xuU" and len(esc) > 1:
            return chr(int(esc[1:], 16))
        if len(esc) == 3 and esc.isdigit():
            return chr(int(esc, 8))
        if esc in _STRING_ESCAPES:
            return _STRING_ESCAPES[esc]
        raise ExprError(tok.pos + m.start() + 1,
                        gettext_noop("unknown escape sequence %(escape)s"), escape="\\" + esc)

    try:
        return _ESCAPE_RE.sub(one, body)
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, ExprError):
            raise
        raise ExprError(tok.pos, gettext_noop("invalid escape sequence in string")) from None


def _duration_ms(tok: _Token) -> int:
    total, last = 0, -1
    for number, unit in re.findall(r"([0-9]+)(ms|[smhdwy])", tok.text):
        rank = _UNIT_ORDER.index(unit)
        if rank <= last:
            raise ExprError(tok.pos, gettext_noop("units of duration %(duration)s must be in "
                                                  "order from the largest, each once"),
                            duration=repr(tok.text))
        last = rank
        total += int(number) * _DURATION_UNITS[unit]
    return total


# --- parser ---------------------------------------------------------------------------

class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    @property
    def tok(self) -> _Token:
        return self.toks[self.i]

    def peek(self, n: int = 1) -> _Token:
        return self.toks[min(self.i + n, len(self.toks) - 1)]

    def advance(self) -> _Token:
        tok = self.toks[self.i]
        if tok.kind != "eof":
            self.i += 1
        return tok

    def expect(self, kind: str, what: str) -> _Token:
        if self.tok.kind != kind:
            raise ExprError(self.tok.pos, gettext_noop("expected %(expected)s, found %(found)s"),
                            expected=what, found=_describe(self.tok))
        return self.advance()

    def is_word(self, *words: str) -> bool:
        return self.tok.kind == "ident" and self.tok.text.lower() in words

    # expressions

    def parse(self) -> Expr:
        if self.tok.kind == "eof":
            raise ExprError(self.tok.pos, gettext_noop("the expression is empty"))
        expr = self.expr(0)
        if self.tok.kind != "eof":
            raise ExprError(self.tok.pos, gettext_noop("unexpected %(found)s"),
                            found=_describe(self.tok))
        if type_of(expr) == MATRIX:
            raise ExprError(expr.pos, gettext_noop(
                "a range vector cannot be evaluated on its own; use it in a function such "
                "as rate() or avg_over_time()"))
        return expr

    def binary_op(self) -> str | None:
        tok = self.tok
        if tok.kind == "op" and tok.text in PRECEDENCE:
            return tok.text
        if tok.kind == "ident" and tok.text.lower() in SET_OPS:
            return tok.text.lower()
        return None

    def expr(self, min_prec: int) -> Expr:
        lhs = self.unary()
        while True:
            op = self.binary_op()
            if op is None or PRECEDENCE[op] < min_prec:
                return lhs
            op_tok = self.advance()
            return_bool = False
            if self.is_word("bool"):
                if op not in COMPARISONS:
                    raise ExprError(self.tok.pos, gettext_noop(
                        "bool modifier can only be used on comparison operators"))
                self.advance()
                return_bool = True
            matching = self.matching(op)
            prec = PRECEDENCE[op]
            rhs = self.expr(prec if op == "^" else prec + 1)
            lhs = _binary(op, lhs, rhs, return_bool, matching, op_tok.pos)

    def matching(self, op: str) -> VectorMatching | None:
        if not self.is_word("on", "ignoring"):
            if self.is_word("group_left", "group_right"):
                raise ExprError(self.tok.pos, gettext_noop(
                    "%(keyword)s needs on() or ignoring() before it"), keyword=self.tok.text)
            return None
        on = self.advance().text.lower() == "on"
        labels = self.label_list()
        card = "one-to-one"
        include: tuple[str, ...] = ()
        if self.is_word("group_left", "group_right"):
            tok = self.advance()
            if op in SET_OPS:
                raise ExprError(tok.pos, gettext_noop("no grouping allowed for %(op)s operations"),
                                op=repr(op))
            card = "many-to-one" if tok.text.lower() == "group_left" else "one-to-many"
            if self.tok.kind == "(":
                include = self.label_list()
        if op in SET_OPS:
            card = "many-to-many"
        return VectorMatching(on=on, labels=labels, card=card, include=include)

    def label_list(self) -> tuple[str, ...]:
        self.expect("(", "'('")
        labels: list[str] = []
        while self.tok.kind != ")":
            tok = self.expect("ident", Phrase(gettext_noop("a label name")))
            if not _LABEL_NAME_RE.fullmatch(tok.text):
                raise ExprError(tok.pos, gettext_noop("%(label)s is not a valid label name"),
                                label=repr(tok.text))
            labels.append(tok.text)
            if self.tok.kind == ",":
                self.advance()
            elif self.tok.kind != ")":
                raise ExprError(self.tok.pos,
                                gettext_noop("expected %(expected)s, found %(found)s"),
                                expected=COMMA_OR_PAREN, found=_describe(self.tok))
        self.advance()
        return tuple(labels)

    def unary(self) -> Expr:
        tok = self.tok
        if tok.kind == "op" and tok.text in "+-" and len(tok.text) == 1:
            self.advance()
            direct_number = self.tok.kind in ("num", "dur") or (
                self.is_word("inf", "nan") and self.peek().kind not in ("{", "("))
            operand = self.expr(PRECEDENCE["^"])
            if type_of(operand) == MATRIX:
                raise ExprError(tok.pos, gettext_noop(
                    "unary minus cannot be applied to a range vector"))
            if tok.text == "+":
                return operand
            if direct_number and isinstance(operand, NumberLiteral):
                return NumberLiteral(-operand.value, tok.pos)
            return Unary("-", operand, tok.pos)
        return self.primary()

    def primary(self) -> Expr:
        tok = self.tok
        if tok.kind == "num":
            self.advance()
            return NumberLiteral(_number(tok), tok.pos)
        if tok.kind == "dur":
            self.advance()
            return NumberLiteral(_duration_ms(tok) / 1000.0, tok.pos)
        if tok.kind == "(":
            self.advance()
            inner = self.expr(0)
            self.expect(")", "')'")
            if self.tok.kind == "[":
                raise ExprError(self.tok.pos, gettext_noop("subqueries are not supported"))
            return inner
        if tok.kind == "{":
            return self.selector(None, tok.pos)
        if tok.kind == "ident":
            return self.identifier()
        if tok.kind == "str":
            raise ExprError(tok.pos, gettext_noop("a string is only allowed as a label value"))
        if tok.kind == "eof":
            raise ExprError(tok.pos, gettext_noop("the expression ends too early"))
        raise ExprError(tok.pos, gettext_noop("unexpected %(found)s"), found=_describe(tok))

    def identifier(self) -> Expr:
        tok = self.tok
        low = tok.text.lower()
        nxt = self.peek()
        if low in ("inf", "nan") and nxt.kind not in ("{", "("):
            self.advance()
            return NumberLiteral(math.inf if low == "inf" else math.nan, tok.pos)
        is_agg_start = nxt.kind == "(" or (
            nxt.kind == "ident" and nxt.text.lower() in ("by", "without"))
        if low in AGGREGATIONS and is_agg_start:
            return self.aggregation()
        if low in _OTHER_AGGREGATIONS and is_agg_start:
            raise ExprError(tok.pos, gettext_noop("the aggregation %(name)s() is not supported"),
                            name=low)
        if nxt.kind == "(":
            return self.call()
        if low in ("by", "without", "on", "ignoring", "group_left", "group_right", "bool",
                   "offset", *SET_OPS):
            raise ExprError(tok.pos, gettext_noop("unexpected keyword %(keyword)s"),
                            keyword=repr(tok.text))
        self.advance()
        return self.selector(tok.text, tok.pos)

    def selector(self, name: str | None, pos: int) -> Expr:
        matchers: list[Matcher] = []
        if self.tok.kind == "{":
            self.advance()
            while self.tok.kind != "}":
                label_tok = self.expect("ident", Phrase(gettext_noop("a label name")))
                if not _LABEL_NAME_RE.fullmatch(label_tok.text):
                    raise ExprError(label_tok.pos,
                                    gettext_noop("%(label)s is not a valid label name"),
                                    label=repr(label_tok.text))
                op_tok = self.tok
                if op_tok.kind != "op" or op_tok.text not in ("=", "!=", "=~", "!~"):
                    raise ExprError(op_tok.pos,
                                    gettext_noop("expected %(expected)s, found %(found)s"),
                                    expected=Phrase(gettext_noop("one of = != =~ !~")),
                                    found=_describe(op_tok))
                self.advance()
                value_tok = self.expect("str", Phrase(gettext_noop("a quoted label value")))
                value = _unquote(value_tok)
                if op_tok.text in ("=~", "!~"):
                    try:
                        re.compile(value)
                    except re.error as exc:
                        raise ExprError(value_tok.pos,
                                        gettext_noop("invalid regular expression: %(error)s"),
                                        error=exc.msg) from None
                if label_tok.text == NAME_LABEL and op_tok.text == "=":
                    if name is not None:
                        raise ExprError(label_tok.pos,
                                        gettext_noop("the metric name is set twice"))
                    name = value
                else:
                    matchers.append(Matcher(label_tok.text, op_tok.text, value))
                if self.tok.kind == ",":
                    self.advance()
                elif self.tok.kind != "}":
                    raise ExprError(self.tok.pos,
                                    gettext_noop("expected %(expected)s, found %(found)s"),
                                    expected=Phrase(gettext_noop("',' or '}'")),
                                    found=_describe(self.tok))
            self.advance()
        if name is None and all(m.matches({}) for m in matchers):
            raise ExprError(pos, gettext_noop("a selector needs a metric name or a matcher that "
                                              "does not match the empty string"))
        sel = Selector(name, tuple(matchers))
        if self.tok.kind == "[":
            open_tok = self.advance()
            dur = self.expect("dur", Phrase(gettext_noop("a duration such as 5m")))
            if self.tok.kind == ":" or self.tok.text.startswith(":"):
                raise ExprError(self.tok.pos, gettext_noop("subqueries are not supported"))
            self.expect("]", "']'")
            range_ms = _duration_ms(dur)
            if range_ms <= 0:
                raise ExprError(dur.pos, gettext_noop("the range must be longer than zero"))
            self._no_modifier()
            return MatrixSelector(sel, range_ms, open_tok.pos)
        self._no_modifier()
        return VectorSelector(sel, pos)

    def _no_modifier(self) -> None:
        if self.is_word("offset") or self.tok.kind == "@":
            raise ExprError(self.tok.pos,
                            gettext_noop("the %(modifier)s modifier is not supported"),
                            modifier=repr(self.tok.text))

    def call(self) -> Expr:
        tok = self.advance()
        name = tok.text
        if name not in FUNCTIONS:
            raise ExprError(tok.pos, gettext_noop("unknown or unsupported function %(name)s()"),
                            name=name)
        self.expect("(", "'('")
        args: list[Expr] = []
        while self.tok.kind != ")":
            args.append(self.expr(0))
            if self.tok.kind == ",":
                self.advance()
            elif self.tok.kind != ")":
                raise ExprError(self.tok.pos,
                                gettext_noop("expected %(expected)s, found %(found)s"),
                                expected=COMMA_OR_PAREN, found=_describe(self.tok))
        self.advance()
        types, optional, _result = FUNCTIONS[name]
        if not len(types) - optional <= len(args) <= len(types):
            want = (str(len(types)) if not optional
                    else f"{len(types) - optional} to {len(types)}")
            raise ExprError(tok.pos, gettext_noop("%(name)s() takes %(want)s argument(s), got "
                                              "%(got)s"), name=name, want=str(want),
                            got=str(len(args)))
        for arg, want_type in zip(args, types, strict=False):
            got = type_of(arg)
            if got != want_type:
                raise ExprError(arg.pos or tok.pos,
                                gettext_noop("%(name)s() expects %(want)s here, got %(got)s"),
                                name=name, want=_TYPE_NAMES[want_type], got=_TYPE_NAMES[got])
        return Call(name, tuple(args), tok.pos)

    def aggregation(self) -> Expr:
        tok = self.advance()
        op = tok.text.lower()
        grouping: tuple[str, ...] = ()
        without = False
        had_clause = False
        if self.is_word("by", "without"):
            without = self.advance().text.lower() == "without"
            grouping = self.label_list()
            had_clause = True
        self.expect("(", "'('")
        args: list[Expr] = []
        while self.tok.kind != ")":
            args.append(self.expr(0))
            if self.tok.kind == ",":
                self.advance()
            elif self.tok.kind != ")":
                raise ExprError(self.tok.pos,
                                gettext_noop("expected %(expected)s, found %(found)s"),
                                expected=COMMA_OR_PAREN, found=_describe(self.tok))
        self.advance()
        if self.is_word("by", "without"):
            if had_clause:
                raise ExprError(self.tok.pos, gettext_noop("by/without is given twice"))
            without = self.advance().text.lower() == "without"
            grouping = self.label_list()
        wants_param = op in ("topk", "bottomk")
        if len(args) != (2 if wants_param else 1):
            raise ExprError(tok.pos, gettext_noop("%(name)s() takes %(want)s argument(s), got "
                                              "%(got)s"), name=op,
                            want=str(2 if wants_param else 1), got=str(len(args)))
        param = args[0] if wants_param else None
        expr = args[-1]
        if param is not None and type_of(param) != SCALAR:
            raise ExprError(param.pos or tok.pos,
                            gettext_noop("the parameter of %(name)s() must be a scalar"), name=op)
        if type_of(expr) != VECTOR:
            raise ExprError(expr.pos or tok.pos,
                            gettext_noop("%(name)s() expects an instant vector, got %(got)s"),
                            name=op, got=_TYPE_NAMES[type_of(expr)])
        return Aggregate(op, expr, param, grouping, without, tok.pos)


_LABEL_NAME_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
COMMA_OR_PAREN = Phrase(gettext_noop("',' or ')'"))
_TYPE_NAMES = {SCALAR: Phrase(gettext_noop("a scalar")),
               VECTOR: Phrase(gettext_noop("an instant vector")),
               MATRIX: Phrase(gettext_noop("a range vector"))}


def _describe(tok: _Token) -> str:
    if tok.kind == "eof":
        return Phrase(gettext_noop("the end of the expression"))
    return repr(tok.text)


def _number(tok: _Token) -> float:
    text = tok.text
    if text[:2].lower() == "0x":
        return float(int(text, 16))
    return float(text)


def _binary(op: str, lhs: Expr, rhs: Expr, return_bool: bool,
            matching: VectorMatching | None, pos: int) -> Binary:
    lt, rt = type_of(lhs), type_of(rhs)
    if MATRIX in (lt, rt):
        raise ExprError(pos, gettext_noop("a binary operator needs scalars or instant vectors, "
                                          "not a range vector"))
    if op in SET_OPS and (lt != VECTOR or rt != VECTOR):
        raise ExprError(pos, gettext_noop("%(op)s needs instant vectors on both sides"),
                        op=repr(op))
    if op in COMPARISONS and lt == SCALAR and rt == SCALAR and not return_bool:
        raise ExprError(pos, gettext_noop("comparisons between scalars must use the bool "
                                          "modifier"))
    if matching is not None and (lt != VECTOR or rt != VECTOR):
        raise ExprError(pos, gettext_noop("vector matching (on/ignoring) needs instant vectors "
                                          "on both sides"))
    return Binary(op, lhs, rhs, return_bool, matching, pos)


def parse(text: str) -> Expr:
    """The syntax tree of ``text``; :class:`ExprError` for anything outside the subset."""
    if len(text) > 10_000:
        raise ExprError(10_001, gettext_noop("the expression is longer than 10000 characters"))
    return _Parser(text).parse()


# --- formatter ------------------------------------------------------------------------

def format_duration(ms: int) -> str:
    if ms == 0:
        return "0s"
    parts = []
    for unit in _UNIT_ORDER:
        size = _DURATION_UNITS[unit]
        if ms >= size:
            parts.append(f"{ms // size}{unit}")
            ms %= size
    return "".join(parts)


def _format_number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    return repr(value)


def _format_selector(sel: Selector) -> str:
    parts = [f"{m.label}{m.op}{json.dumps(m.value, ensure_ascii=False)}" for m in sel.matchers]
    if sel.name is None:
        return "{" + ", ".join(parts) + "}"
    return sel.name + ("{" + ", ".join(parts) + "}" if parts else "")


def format_expr(expr: Expr) -> str:
    """Text that :func:`parse` turns back into ``expr`` (fully parenthesised)."""
    if isinstance(expr, NumberLiteral):
        return _format_number(expr.value)
    if isinstance(expr, VectorSelector):
        return _format_selector(expr.selector)
    if isinstance(expr, MatrixSelector):
        return f"{_format_selector(expr.selector)}[{format_duration(expr.range_ms)}]"
    if isinstance(expr, Call):
        return f"{expr.func}({', '.join(format_expr(a) for a in expr.args)})"
    if isinstance(expr, Aggregate):
        clause = ""
        if expr.grouping or expr.without:
            clause = f" {'without' if expr.without else 'by'} ({', '.join(expr.grouping)})"
        param = f"{format_expr(expr.param)}, " if expr.param is not None else ""
        return f"{expr.op}{clause} ({param}{format_expr(expr.expr)})"
    if isinstance(expr, Unary):
        return f"-({format_expr(expr.expr)})"
    mod = " bool" if expr.return_bool else ""
    m = expr.matching
    if m is not None:
        mod += f" {'on' if m.on else 'ignoring'}({', '.join(m.labels)})"
        if m.card in ("many-to-one", "one-to-many"):
            word = "group_left" if m.card == "many-to-one" else "group_right"
            mod += f" {word}({', '.join(m.include)})"
    return f"({format_expr(expr.lhs)}) {expr.op}{mod} ({format_expr(expr.rhs)})"


def _walk(expr: Expr) -> Iterator[Expr]:
    yield expr
    if isinstance(expr, Call):
        for arg in expr.args:
            yield from _walk(arg)
    elif isinstance(expr, Aggregate):
        if expr.param is not None:
            yield from _walk(expr.param)
        yield from _walk(expr.expr)
    elif isinstance(expr, Binary):
        yield from _walk(expr.lhs)
        yield from _walk(expr.rhs)
    elif isinstance(expr, Unary):
        yield from _walk(expr.expr)


def selectors(expr: Expr) -> list[Selector]:
    """The selectors of ``expr`` in order, each once: instant ones as :class:`Selector`,
    range ones as :class:`RangeSelector` (a Selector with ``range_ms``)."""
    out: list[Selector] = []
    for node in _walk(expr):
        sel: Selector | None = None
        if isinstance(node, VectorSelector):
            sel = node.selector
        elif isinstance(node, MatrixSelector):
            sel = RangeSelector(node.selector.name, node.selector.matchers, node.range_ms)
        if sel is not None and sel not in out:
            out.append(sel)
    return out


# --- evaluation -----------------------------------------------------------------------

Select = Callable[[Selector, int, int], list[Series]]
Values = list[float | None]


@dataclass(slots=True)
class _RS:
    labels: dict[str, str]
    vals: Values


@dataclass(slots=True)
class _Scalar:
    vals: list[float]


_Value = _Scalar | list[_RS]


class _Raw:
    """The fetched points of one series, split into times and values."""

    __slots__ = ("labels", "times", "values")

    def __init__(self, series: Series) -> None:
        self.labels = series.labels
        self.times = [p[0] for p in series.points]
        self.values = [float(p[1]) for p in series.points]


class _Evaluator:
    def __init__(self, select: Select, steps: list[int], step_ms: int) -> None:
        self.select = select
        self.steps = steps
        self.step_ms = step_ms
        self.n = len(steps)
        self.data: dict[Selector, list[_Raw]] = {}

    def fetch(self, expr: Expr) -> None:
        windows: dict[Selector, int] = {}
        for node in _walk(expr):
            if isinstance(node, VectorSelector):
                windows[node.selector] = max(windows.get(node.selector, 0), LOOKBACK_MS)
            elif isinstance(node, MatrixSelector):
                windows[node.selector] = max(windows.get(node.selector, 0), node.range_ms)
        start, end = self.steps[0], self.steps[-1]
        for sel, window in windows.items():
            fetched = self.select(sel, start - window, end)
            self.data[sel] = [_Raw(s) for s in fetched if s.points and sel.matches(s.labels)]

    def eval(self, expr: Expr) -> _Value:
        if isinstance(expr, NumberLiteral):
            return _Scalar([expr.value] * self.n)
        if isinstance(expr, VectorSelector):
            return self.instant(expr.selector)
        if isinstance(expr, Call):
            return self.call(expr)
        if isinstance(expr, Aggregate):
            return self.aggregate(expr)
        if isinstance(expr, Binary):
            return self.binary(expr)
        if isinstance(expr, Unary):
            value = self.eval(expr.expr)
            if isinstance(value, _Scalar):
                return _Scalar([-v for v in value.vals])
            out = [_RS(_drop_name(rs.labels), [None if v is None else -v for v in rs.vals])
                   for rs in value]
            return _dedupe(out, expr.pos)
        raise EvalError(expr.pos, "a range vector cannot be evaluated here")

    # selectors

    def instant(self, sel: Selector, *, timestamps: bool = False) -> list[_RS]:
        """The last sample in (t - lookback, t] at each step. Each sample fills the steps
        from its own time until the next sample or the end of the lookback, whichever is
        first (slice assignment), so the cost follows the number of samples."""
        out = []
        n, s0, st = self.n, self.steps[0], self.step_ms
        for raw in self.data.get(sel, []):
            times, values = raw.times, raw.values
            vals: Values = [None] * n
            last = len(times) - 1
            for k, tk in enumerate(times):
                stop = tk + LOOKBACK_MS
                if k < last and times[k + 1] < stop:
                    stop = times[k + 1]
                i0 = -((s0 - tk) // st)  # first step at or after tk
                i1 = -((s0 - stop) // st)  # first step at or after stop
                if i0 < 0:
                    i0 = 0
                if i1 > n:
                    i1 = n
                width = i1 - i0
                if width == 1:
                    vals[i0] = tk / 1000.0 if timestamps else values[k]
                elif width > 1:
                    vals[i0:i1] = [tk / 1000.0 if timestamps else values[k]] * width
            out.append(_RS(dict(raw.labels), vals))
        return out

    def windows(self, node: MatrixSelector) -> Iterator[tuple[_Raw, list[int], list[int]]]:
        """Each series with the bounds (lo, hi) of its window (t - range, t] at every step."""
        rng = node.range_ms
        for raw in self.data.get(node.selector, []):
            times = raw.times
            his = [bisect_right(times, t) for t in self.steps]
            los = [bisect_right(times, t - rng) for t in self.steps]
            yield raw, los, his

    # functions

    def call(self, node: Call) -> _Value:
        f = node.func
        if f == "time":
            return _Scalar([t / 1000.0 for t in self.steps])
        if f == "vector":
            return [_RS({}, list(self._scalar(node.args[0])))]
        if f == "scalar":
            vec = self._vector(node.args[0])
            out_s: list[float] = []
            for i in range(self.n):
                present = [v for rs in vec if (v := rs.vals[i]) is not None]
                out_s.append(present[0] if len(present) == 1 else math.nan)
            return _Scalar(out_s)
        if f == "absent":
            return self.absent(node)
        if f == "absent_over_time":
            return self.absent_over_time(node)
        if f == "timestamp":
            arg = node.args[0]
            if isinstance(arg, VectorSelector):
                vec = self.instant(arg.selector, timestamps=True)
            else:
                vec = [_RS(rs.labels, [None if v is None else t / 1000.0
                                       for v, t in zip(rs.vals, self.steps, strict=True)])
                       for rs in self._vector(arg)]
            return _dedupe([_RS(_drop_name(rs.labels), rs.vals) for rs in vec], node.pos)
        if f in _ELEMENTWISE:
            return self.elementwise(node)
        return self.range_function(node)

    def _vector(self, expr: Expr) -> list[_RS]:
        value = self.eval(expr)
        assert isinstance(value, list)
        return value

    def _scalar(self, expr: Expr) -> list[float]:
        value = self.eval(expr)
        assert isinstance(value, _Scalar)
        return value.vals

    def elementwise(self, node: Call) -> list[_RS]:
        vec = self._vector(node.args[0])
        f = node.func
        out: list[_RS] = []
        if f in ("clamp_min", "clamp_max", "round"):
            param = (self._scalar(node.args[1]) if len(node.args) > 1
                     else [1.0] * self.n)
            fn2 = _clamp_min if f == "clamp_min" else _clamp_max if f == "clamp_max" else _round
            for rs in vec:
                vals: Values = [None if v is None else fn2(v, p)
                                for v, p in zip(rs.vals, param, strict=True)]
                out.append(_RS(_drop_name(rs.labels), vals))
        else:
            fn1 = _ELEMENTWISE[f]
            for rs in vec:
                out.append(_RS(_drop_name(rs.labels),
                               [None if v is None else fn1(v) for v in rs.vals]))
        return _dedupe(out, node.pos)

    def range_function(self, node: Call) -> list[_RS]:
        f = node.func
        matrix = node.args[1] if f == "quantile_over_time" else node.args[0]
        assert isinstance(matrix, MatrixSelector)
        param: list[float] | None = None
        if f == "quantile_over_time":
            param = self._scalar(node.args[0])
        elif f == "predict_linear":
            param = self._scalar(node.args[1])
        rng = matrix.range_ms
        out: list[_RS] = []
        for raw, los, his in self.windows(matrix):
            times, values = raw.times, raw.values
            vals: Values = [None] * self.n
            if f in ("rate", "increase", "delta"):
                counter = f != "delta"
                corr = _reset_corrections(values) if counter else []
                for i, t in enumerate(self.steps):
                    lo, hi = los[i], his[i]
                    if hi - lo >= 2:
                        vals[i] = _extrapolated(times, values, corr, lo, hi, t - rng, t,
                                                counter, f == "rate")
            elif f == "irate":
                for i in range(self.n):
                    lo, hi = los[i], his[i]
                    if hi - lo >= 2:
                        last, prev = values[hi - 1], values[hi - 2]
                        dt_s = (times[hi - 1] - times[hi - 2]) / 1000.0
                        if dt_s > 0:
                            vals[i] = (last if last < prev else last - prev) / dt_s
            elif f in ("deriv", "predict_linear"):
                fit = _SlidingFit(times, values)
                for i, t in enumerate(self.steps):
                    lo, hi = los[i], his[i]
                    if hi - lo >= 2:
                        if f == "deriv":
                            vals[i] = fit.fit(lo, hi, times[lo])[0]
                        else:
                            assert param is not None
                            slope, icpt = fit.fit(lo, hi, t)
                            vals[i] = slope * param[i] + icpt
            elif f in ("min_over_time", "max_over_time"):
                _sliding_extreme(values, los, his, vals, f == "max_over_time")
            elif f in ("sum_over_time", "avg_over_time"):
                sums = _SlidingSum(values)
                for i in range(self.n):
                    lo, hi = los[i], his[i]
                    if hi > lo:
                        total = sums.sum(lo, hi)
                        vals[i] = total if f == "sum_over_time" else total / (hi - lo)
            else:
                agg = _OVER_TIME[f]
                for i in range(self.n):
                    lo, hi = los[i], his[i]
                    if hi > lo:
                        vals[i] = agg(values, lo, hi, param[i] if param is not None else 0.0)
            labels = dict(raw.labels) if f in _KEEP_NAME else _drop_name(raw.labels)
            out.append(_RS(labels, vals))
        return _dedupe(out, node.pos)

    def absent(self, node: Call) -> list[_RS]:
        arg = node.args[0]
        vec = self._vector(arg)
        present = [False] * self.n
        for rs in vec:
            for i, v in enumerate(rs.vals):
                if v is not None:
                    present[i] = True
        labels = _absent_labels(arg.selector) if isinstance(arg, VectorSelector) else {}
        return [_RS(labels, [None if p else 1.0 for p in present])]

    def absent_over_time(self, node: Call) -> list[_RS]:
        arg = node.args[0]
        assert isinstance(arg, MatrixSelector)
        present = [False] * self.n
        for _raw, los, his in self.windows(arg):
            for i in range(self.n):
                if his[i] > los[i]:
                    present[i] = True
        return [_RS(_absent_labels(arg.selector), [None if p else 1.0 for p in present])]

    # aggregations

    def aggregate(self, node: Aggregate) -> list[_RS]:
        vec = self._vector(node.expr)
        groups: dict[tuple[tuple[str, str], ...], list[_RS]] = {}
        for rs in vec:
            groups.setdefault(_group_key(rs.labels, node.grouping, node.without), []).append(rs)
        op, n = node.op, self.n
        out: list[_RS] = []
        if op in ("topk", "bottomk"):
            assert node.param is not None
            ks = self._scalar(node.param)
            for members in groups.values():
                kept: list[Values] = [[None] * n for _ in members]
                for i in range(n):
                    k = ks[i]
                    if not k >= 1:
                        continue
                    cands = [(v, j) for j, rs in enumerate(members)
                             if (v := rs.vals[i]) is not None]
                    if not cands:
                        continue
                    kk = min(int(k), len(cands))
                    if op == "topk":
                        chosen = heapq.nlargest(kk, cands, key=_topk_key)
                    else:
                        chosen = heapq.nsmallest(kk, cands, key=_bottomk_key)
                    for v, j in chosen:
                        kept[j][i] = v
                for rs, vals in zip(members, kept, strict=True):
                    if any(v is not None for v in vals):
                        out.append(_RS(dict(rs.labels), vals))
            return out
        for key, members in groups.items():
            labels = {k: v for k, v in key if v != ""}
            if len(members) == 1 and op in ("sum", "avg", "min", "max"):
                out.append(_RS(labels, list(members[0].vals)))
                continue
            acc: Values = [None] * n
            cnt = [0] * n
            for rs in members:
                for i, v in enumerate(rs.vals):
                    if v is None:
                        continue
                    cur = acc[i]
                    cnt[i] += 1
                    if cur is None:
                        acc[i] = v
                    elif op in ("sum", "avg"):
                        acc[i] = cur + v
                    elif op == "min":
                        if cur > v or math.isnan(cur):
                            acc[i] = v
                    elif op == "max" and (cur < v or math.isnan(cur)):
                        acc[i] = v
            if op == "count":
                acc = [float(c) if c else None for c in cnt]
            elif op == "avg":
                acc = [None if a is None else a / c for a, c in zip(acc, cnt, strict=True)]
            out.append(_RS(labels, acc))
        return out

    # binary operators

    def binary(self, node: Binary) -> _Value:
        lhs, rhs = self.eval(node.lhs), self.eval(node.rhs)
        op = node.op
        if isinstance(lhs, _Scalar) and isinstance(rhs, _Scalar):
            if op in COMPARISONS:
                cmp = _COMPARE[op]
                return _Scalar([float(cmp(a, b)) for a, b in zip(lhs.vals, rhs.vals,
                                                                  strict=True)])
            fn = _ARITH[op]
            return _Scalar([fn(a, b) for a, b in zip(lhs.vals, rhs.vals, strict=True)])
        if isinstance(lhs, _Scalar) or isinstance(rhs, _Scalar):
            return self.vector_scalar(node, lhs, rhs)
        return self.vector_vector(node, lhs, rhs)

    def vector_scalar(self, node: Binary, lhs: _Value, rhs: _Value) -> list[_RS]:
        swap = isinstance(lhs, _Scalar)
        vec = rhs if swap else lhs
        sc = lhs if swap else rhs
        assert isinstance(vec, list) and isinstance(sc, _Scalar)
        s = sc.vals
        op = node.op
        out: list[_RS] = []
        if op in COMPARISONS:
            cmp = _COMPARE[op]
            for rs in vec:
                if node.return_bool:
                    if swap:
                        vals: Values = [None if v is None else float(cmp(b, v))
                                        for v, b in zip(rs.vals, s, strict=True)]
                    else:
                        vals = [None if v is None else float(cmp(v, b))
                                for v, b in zip(rs.vals, s, strict=True)]
                    out.append(_RS(_drop_name(rs.labels), vals))
                else:
                    if swap:
                        vals = [v if v is not None and cmp(b, v) else None
                                for v, b in zip(rs.vals, s, strict=True)]
                    else:
                        vals = [v if v is not None and cmp(v, b) else None
                                for v, b in zip(rs.vals, s, strict=True)]
                    if any(v is not None for v in vals):
                        out.append(_RS(rs.labels, vals))
            return _dedupe(out, node.pos) if node.return_bool else out
        fn = _ARITH[op]
        constant = s[0] if s and s.count(s[0]) == len(s) and math.isfinite(s[0]) else None
        for rs in vec:
            if constant is not None and (op in "+-*" or (op == "/" and constant and not swap)):
                vals = _with_constant(op, rs.vals, constant, swap)
            elif swap:
                vals = [None if v is None else fn(b, v) for v, b in zip(rs.vals, s, strict=True)]
            else:
                vals = [None if v is None else fn(v, b) for v, b in zip(rs.vals, s, strict=True)]
            out.append(_RS(_drop_name(rs.labels), vals))
        return _dedupe(out, node.pos)

    def vector_vector(self, node: Binary, lhs: list[_RS], rhs: list[_RS]) -> list[_RS]:
        op, m = node.op, node.matching
        sig = _signature(m)
        if op in SET_OPS:
            return self.set_op(op, lhs, rhs, sig)
        card = m.card if m is not None else "one-to-one"
        many, one = (rhs, lhs) if card == "one-to-many" else (lhs, rhs)
        one_groups: dict[tuple[object, ...], list[_RS]] = {}
        for rs in one:
            one_groups.setdefault(sig(rs.labels), []).append(rs)
        side = "left" if card == "one-to-many" else "right"
        for group in one_groups.values():
            if len(group) > 1 and _overlap(group, self.n):
                raise EvalError(node.pos, f"found duplicate series for the match group "
                                          f"{_show(group[0].labels)} on the {side} hand side "
                                          "of the operation")
        matched: dict[tuple[object, ...], list[_RS]] = {}
        pairs: list[tuple[_RS, _RS]] = []
        for rs in many:
            key = sig(rs.labels)
            partners = one_groups.get(key)
            if partners is None:
                continue
            matched.setdefault(key, []).append(rs)
            pairs.extend((rs, p) for p in partners)
        if card == "one-to-one":
            for group in matched.values():
                if len(group) > 1 and _overlap(group, self.n):
                    raise EvalError(node.pos, "multiple matches for labels: many-to-one "
                                              "matching must be explicit "
                                              "(group_left/group_right)")
        is_cmp = op in COMPARISONS
        drop = op in ARITHMETIC or node.return_bool
        fn = _COMPARE[op] if is_cmp else _ARITH[op]
        flip = card == "one-to-many"
        out: list[_RS] = []
        for many_rs, one_rs in pairs:
            a_vals, b_vals = (one_rs.vals, many_rs.vals) if flip else (many_rs.vals,
                                                                        one_rs.vals)
            if is_cmp and not node.return_bool:
                vals: Values = [a if a is not None and b is not None and fn(a, b) else None
                                for a, b in zip(a_vals, b_vals, strict=True)]
                if not any(v is not None for v in vals):
                    continue
            elif is_cmp:
                vals = [None if a is None or b is None else float(fn(a, b))
                        for a, b in zip(a_vals, b_vals, strict=True)]
            else:
                vals = _combine(op, a_vals, b_vals)
            out.append(_RS(_result_labels(many_rs.labels, one_rs.labels, m, drop), vals))
        return _dedupe(out, node.pos, grouping=card != "one-to-one")

    def set_op(self, op: str, lhs: list[_RS], rhs: list[_RS],
               sig: Callable[[dict[str, str]], tuple[object, ...]]) -> list[_RS]:
        n = self.n

        def presence(vec: list[_RS]) -> dict[tuple[object, ...], list[bool]]:
            pres: dict[tuple[object, ...], list[bool]] = {}
            for rs in vec:
                p = pres.setdefault(sig(rs.labels), [False] * n)
                for i, v in enumerate(rs.vals):
                    if v is not None:
                        p[i] = True
            return pres

        out: list[_RS] = []
        if op == "or":
            left = presence(lhs)
            out.extend(lhs)
            for rs in rhs:
                p = left.get(sig(rs.labels))
                if p is None:
                    out.append(rs)
                    continue
                vals: Values = [None if hit else v for v, hit in zip(rs.vals, p, strict=True)]
                if any(v is not None for v in vals):
                    out.append(_RS(rs.labels, vals))
            return out
        right = presence(rhs)
        for rs in lhs:
            p = right.get(sig(rs.labels))
            if p is None:
                if op == "unless":
                    out.append(rs)
                continue
            if op == "and":
                vals = [v if hit else None for v, hit in zip(rs.vals, p, strict=True)]
            else:
                vals = [None if hit else v for v, hit in zip(rs.vals, p, strict=True)]
            if any(v is not None for v in vals):
                out.append(_RS(rs.labels, vals))
        return out


# helpers of the evaluator

def _drop_name(labels: dict[str, str]) -> dict[str, str]:
    if NAME_LABEL not in labels:
        return labels
    return {k: v for k, v in labels.items() if k != NAME_LABEL}


def _show(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def _absent_labels(sel: Selector) -> dict[str, str]:
    counts: dict[str, int] = {}
    for m in sel.matchers:
        counts[m.label] = counts.get(m.label, 0) + 1
    return {m.label: m.value for m in sel.matchers
            if m.op == "=" and counts[m.label] == 1 and m.label != NAME_LABEL}


def _group_key(labels: dict[str, str], grouping: tuple[str, ...],
               without: bool) -> tuple[tuple[str, str], ...]:
    if without:
        drop = set(grouping) | {NAME_LABEL}
        return tuple(sorted((k, v) for k, v in labels.items() if k not in drop))
    return tuple(sorted((g, labels.get(g, "")) for g in set(grouping)))


def _signature(m: VectorMatching | None) -> Callable[[dict[str, str]], tuple[object, ...]]:
    if m is not None and m.on:
        names = tuple(sorted(set(m.labels)))
        return lambda lb: tuple(lb.get(n, "") for n in names)
    drop = {NAME_LABEL, *(m.labels if m is not None else ())}
    return lambda lb: tuple(sorted((k, v) for k, v in lb.items() if k not in drop))


def _result_labels(many: dict[str, str], one: dict[str, str], m: VectorMatching | None,
                   drop_name: bool) -> dict[str, str]:
    labels = _drop_name(many) if drop_name else dict(many)
    if m is None:
        return labels
    if m.card == "one-to-one":
        if m.on:
            keep = set(m.labels)
            labels = {k: v for k, v in labels.items() if k in keep}
        else:
            labels = {k: v for k, v in labels.items() if k not in m.labels}
    if m.include:
        labels = dict(labels)
        for name in m.include:
            value = one.get(name, "")
            if value:
                labels[name] = value
            else:
                labels.pop(name, None)
    return labels


def _overlap(group: list[_RS], n: int) -> bool:
    seen = [False] * n
    for rs in group:
        for i, v in enumerate(rs.vals):
            if v is not None:
                if seen[i]:
                    return True
                seen[i] = True
    return False


def _dedupe(series: list[_RS], pos: int, *, grouping: bool = False) -> list[_RS]:
    """Merge series whose labels became equal; an error when two have a value at the same
    step (Prometheus: "vector cannot contain metrics with the same labelset")."""
    if len(series) < 2:
        return series
    by_key: dict[tuple[tuple[str, str], ...], _RS] = {}
    out: list[_RS] = []
    for rs in series:
        key = tuple(sorted(rs.labels.items()))
        have = by_key.get(key)
        if have is None:
            by_key[key] = rs
            out.append(rs)
            continue
        merged: Values = []
        for a, b in zip(have.vals, rs.vals, strict=True):
            if a is not None and b is not None:
                reason = ("multiple matches for labels: grouping labels must ensure unique "
                          "label set") if grouping else (
                          f"vector cannot contain metrics with the same labelset "
                          f"{_show(rs.labels)}")
                raise EvalError(pos, reason)
            merged.append(a if a is not None else b)
        have.vals = merged
    return out


def _with_constant(op: str, vals: Values, c: float, swap: bool) -> Values:
    """``vals op c`` (``c op vals`` when ``swap``) for + - * and / by a non-zero c,
    written out so the loop does no function call per value."""
    if op == "+":
        return [None if v is None else v + c for v in vals]
    if op == "*":
        return [None if v is None else v * c for v in vals]
    if op == "-":
        if swap:
            return [None if v is None else c - v for v in vals]
        return [None if v is None else v - c for v in vals]
    return [None if v is None else v / c for v in vals]


def _combine(op: str, a_vals: Values, b_vals: Values) -> Values:
    """``a op b`` value by value, None where either has none."""
    if op == "+":
        return [None if a is None or b is None else a + b for a, b in zip(a_vals, b_vals,
                                                                           strict=True)]
    if op == "-":
        return [None if a is None or b is None else a - b for a, b in zip(a_vals, b_vals,
                                                                           strict=True)]
    if op == "*":
        return [None if a is None or b is None else a * b for a, b in zip(a_vals, b_vals,
                                                                           strict=True)]
    if op == "/":
        return [None if a is None or b is None else (a / b if b else _div(a, b))
                for a, b in zip(a_vals, b_vals, strict=True)]
    fn = _ARITH[op]
    return [None if a is None or b is None else fn(a, b) for a, b in zip(a_vals, b_vals,
                                                                          strict=True)]


def _topk_key(c: tuple[float, int]) -> float:
    return -math.inf if math.isnan(c[0]) else c[0]


def _bottomk_key(c: tuple[float, int]) -> float:
    return math.inf if math.isnan(c[0]) else c[0]


def _reset_corrections(values: list[float]) -> list[float]:
    """corr[k]: the sum of the values before each counter reset up to sample k."""
    corr = [0.0] * len(values)
    acc = 0.0
    prev = values[0] if values else 0.0
    for k in range(1, len(values)):
        v = values[k]
        if v < prev:
            acc += prev
        corr[k] = acc
        prev = v
    return corr


def _extrapolated(times: list[int], values: list[float], corr: list[float], lo: int, hi: int,
                  range_start: int, range_end: int, is_counter: bool, is_rate: bool) -> float:
    """Prometheus' extrapolatedRate over the samples ``lo`` to ``hi - 1``."""
    first_t, last_t = times[lo], times[hi - 1]
    first_v = values[lo]
    result = values[hi - 1] - first_v
    if is_counter:
        result += corr[hi - 1] - corr[lo]
    sampled = (last_t - first_t) / 1000.0
    if sampled <= 0:
        return math.nan
    to_start = (first_t - range_start) / 1000.0
    to_end = (range_end - last_t) / 1000.0
    average = sampled / (hi - lo - 1)
    threshold = average * 1.1
    if to_start >= threshold:
        to_start = average / 2
    if is_counter and result > 0 and first_v >= 0:
        to_zero = sampled * (first_v / result)
        if to_zero < to_start:
            to_start = to_zero
    if to_end >= threshold:
        to_end = average / 2
    factor = (sampled + to_start + to_end) / sampled
    if is_rate:
        factor /= (range_end - range_start) / 1000.0
    return result * factor


def _regression(times: list[int], values: list[float], lo: int, hi: int,
                intercept_time: int) -> tuple[float, float]:
    """Least-squares slope (per second) and the value at ``intercept_time``."""
    y0 = values[lo]
    n = float(hi - lo)
    sx = sy = sxy = sx2 = 0.0
    const = True
    for k in range(lo, hi):
        x = (times[k] - intercept_time) / 1000.0
        y = values[k]
        if y != y0:
            const = False
        sx += x
        sy += y
        sxy += x * y
        sx2 += x * x
    if const:
        return (math.nan, math.nan) if math.isinf(y0) else (0.0, y0)
    cov = sxy - sx * sy / n
    var = sx2 - sx * sx / n
    slope = cov / var if var else math.nan
    return slope, sy / n - slope * sx / n


_DIRECT_MAX = 48  # windows up to this many samples are summed directly (exact)


class _SlidingFit:
    """Least-squares fits over windows of one series. Small windows are fitted directly
    (as Prometheus does); large ones from prefix sums of x and y taken relative to the
    series' first sample, so a week of 1-minute steps over 6-hour windows stays linear
    in the number of samples."""

    def __init__(self, times: list[int], values: list[float]) -> None:
        self.times, self.values = times, values
        self.t0 = times[0] if times else 0
        self.y0 = values[0] if values else 0.0
        self._prefix: tuple[list[float], ...] | None = None

    def prefix(self) -> tuple[list[float], ...]:
        if self._prefix is None:
            sx, sy, sxx, sxy, changes = [0.0], [0.0], [0.0], [0.0], [0.0]
            ax = ay = axx = axy = ch = 0.0
            prev = self.values[0] if self.values else 0.0
            finite = True
            for t, v in zip(self.times, self.values, strict=True):
                x = (t - self.t0) / 1000.0
                y = v - self.y0
                if not math.isfinite(v):
                    finite = False
                ax += x
                ay += y
                axx += x * x
                axy += x * y
                if v != prev:
                    ch += 1
                prev = v
                sx.append(ax)
                sy.append(ay)
                sxx.append(axx)
                sxy.append(axy)
                changes.append(ch)
            self.finite = finite
            self._prefix = (sx, sy, sxx, sxy, changes)
        return self._prefix

    def fit(self, lo: int, hi: int, intercept_time: int) -> tuple[float, float]:
        if hi - lo <= _DIRECT_MAX:
            return _regression(self.times, self.values, lo, hi, intercept_time)
        sx, sy, sxx, sxy, changes = self.prefix()
        if not self.finite:
            return _regression(self.times, self.values, lo, hi, intercept_time)
        if changes[hi] - changes[lo + 1] == 0:  # every value equal to the first
            return 0.0, self.values[lo]
        n = float(hi - lo)
        wx, wy = sx[hi] - sx[lo], sy[hi] - sy[lo]
        cov = (sxy[hi] - sxy[lo]) - wx * wy / n
        var = (sxx[hi] - sxx[lo]) - wx * wx / n
        slope = cov / var if var else math.nan
        # the fitted value at the intercept time, y0 added back
        at_x = (intercept_time - self.t0) / 1000.0
        return slope, self.y0 + wy / n + slope * (at_x - wx / n)


class _SlidingSum:
    """Sums over windows: exact (fsum) for small windows, prefix sums of the values less
    the first value for large ones."""

    def __init__(self, values: list[float]) -> None:
        self.values = values
        self._prefix: list[float] | None = None
        self.finite = all(math.isfinite(v) for v in values)

    def sum(self, lo: int, hi: int) -> float:
        if hi - lo <= _DIRECT_MAX or not self.finite:
            return math.fsum(self.values[lo:hi])
        if self._prefix is None:
            base = self.values[0]
            acc, prefix = 0.0, [0.0]
            for v in self.values:
                acc += v - base
                prefix.append(acc)
            self._prefix = prefix
        return self._prefix[hi] - self._prefix[lo] + (hi - lo) * self.values[0]


def _sliding_extreme(values: list[float], los: list[int], his: list[int], out: Values,
                     biggest: bool) -> None:
    """Min or max over each window (lo, hi) with a monotonic deque: windows only move
    forward, so each sample enters and leaves once. NaN samples are skipped (a window of
    only NaN gives NaN), as Prometheus does."""
    window: deque[int] = deque()
    nans: deque[int] = deque()
    nxt = 0
    for i, (lo, hi) in enumerate(zip(los, his, strict=True)):
        while nxt < hi:
            v = values[nxt]
            if math.isnan(v):
                nans.append(nxt)
            else:
                while window and ((values[window[-1]] <= v) if biggest
                                  else (values[window[-1]] >= v)):
                    window.pop()
                window.append(nxt)
            nxt += 1
        while window and window[0] < lo:
            window.popleft()
        while nans and nans[0] < lo:
            nans.popleft()
        if window:
            out[i] = values[window[0]]
        elif nans:
            out[i] = math.nan


def _quantile(q: float, values: list[float]) -> float:
    if not values or math.isnan(q):
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    ordered = sorted(values)
    rank = q * (len(ordered) - 1)
    lower = max(0, math.floor(rank))
    upper = min(len(ordered) - 1, lower + 1)
    weight = rank - math.floor(rank)
    return ordered[lower] * (1 - weight) + ordered[upper] * weight


def _max_nan(vals: list[float], biggest: bool) -> float:
    m = max(vals) if biggest else min(vals)
    if math.isnan(m):
        real = [v for v in vals if not math.isnan(v)]
        if real:
            return max(real) if biggest else min(real)
    return m


_OVER_TIME: dict[str, Callable[[list[float], int, int, float], float]] = {
    "avg_over_time": lambda v, lo, hi, _p: math.fsum(v[lo:hi]) / (hi - lo),
    "sum_over_time": lambda v, lo, hi, _p: math.fsum(v[lo:hi]),
    "count_over_time": lambda _v, lo, hi, _p: float(hi - lo),
    "last_over_time": lambda v, _lo, hi, _p: v[hi - 1],
    "min_over_time": lambda v, lo, hi, _p: _max_nan(v[lo:hi], False),
    "max_over_time": lambda v, lo, hi, _p: _max_nan(v[lo:hi], True),
    "quantile_over_time": lambda v, lo, hi, p: _quantile(p, v[lo:hi]),
}


def _safe(fn: Callable[[float], float]) -> Callable[[float], float]:
    def wrapped(v: float) -> float:
        try:
            return fn(v)
        except (ValueError, OverflowError):
            return v  # ceil/floor of inf/nan: itself
    return wrapped


_ELEMENTWISE: dict[str, Callable[[float], float]] = {
    "abs": abs,
    "ceil": _safe(lambda v: float(math.ceil(v))),
    "floor": _safe(lambda v: float(math.floor(v))),
    "round": lambda v: v,  # has a parameter: handled with the clamps
    "clamp_min": lambda v: v,
    "clamp_max": lambda v: v,
}


def _clamp_min(v: float, p: float) -> float:
    return math.nan if math.isnan(p) else max(v, p) if not math.isnan(v) else v


def _clamp_max(v: float, p: float) -> float:
    return math.nan if math.isnan(p) else min(v, p) if not math.isnan(v) else v


def _round(v: float, to_nearest: float) -> float:
    if math.isnan(v) or math.isinf(v) or to_nearest == 0:
        return v if to_nearest != 0 else math.nan
    inverse = 1.0 / to_nearest
    try:
        return math.floor(v * inverse + 0.5) / inverse
    except (OverflowError, ValueError):
        return v


def _div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _mod(a: float, b: float) -> float:
    try:
        return math.fmod(a, b)
    except ValueError:
        return math.nan


def _pow(a: float, b: float) -> float:
    try:
        result = a ** b
    except ZeroDivisionError:
        return math.inf
    except OverflowError:
        return math.inf if a > 0 or float(b) % 2 == 0 else -math.inf
    if isinstance(result, complex):
        return math.nan
    return float(result)


_ARITH: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": _div, "%": _mod,
    "^": _pow,
}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "==": operator.eq, "!=": operator.ne, ">": operator.gt, "<": operator.lt,
    ">=": operator.ge, "<=": operator.le,
}


def _steps(start_ms: int, end_ms: int, step_ms: int) -> list[int]:
    if step_ms <= 0:
        raise ValueError("step must be positive")
    if end_ms < start_ms:
        raise ValueError("end is before start")
    count = (end_ms - start_ms) // step_ms + 1
    if count > MAX_STEPS:
        raise ValueError(f"{count} steps exceed the limit of {MAX_STEPS}; use a longer step")
    return list(range(start_ms, end_ms + 1, step_ms))


def evaluate_range(expr: Expr | str, select: Select, start_ms: int, end_ms: int,
                   step_ms: int) -> list[Series]:
    """The value of ``expr`` at every step from ``start_ms`` to ``end_ms``: one series per
    result label set with a point at each step where it has a value (a scalar result is
    one series without labels). ``select`` is called once per distinct selector."""
    tree = parse(expr) if isinstance(expr, str) else expr
    steps = _steps(start_ms, end_ms, step_ms)
    ev = _Evaluator(select, steps, step_ms)
    ev.fetch(tree)
    value = ev.eval(tree)
    if isinstance(value, _Scalar):
        return [Series({}, list(zip(steps, value.vals, strict=True)))]
    out = []
    for rs in value:
        points = [(t, v) for t, v in zip(steps, rs.vals, strict=True) if v is not None]
        if points:
            out.append(Series(dict(rs.labels), points))
    return out


def evaluate_instant(expr: Expr | str, select: Select, at_ms: int) -> list[Series]:
    """The value of ``expr`` at ``at_ms``: each series with one point."""
    return evaluate_range(expr, select, at_ms, at_ms, 1)


def with_matchers(expr: Expr, extra: tuple[Matcher, ...]) -> Expr:
    """``expr`` with ``extra`` matchers added to every selector (a rule for one item adds
    ``careops_item="CODE"``)."""
    if not extra:
        return expr

    def sel(s: Selector) -> Selector:
        return Selector(s.name, (*s.matchers, *extra))

    def walk(e: Expr) -> Expr:
        if isinstance(e, VectorSelector):
            return VectorSelector(sel(e.selector), e.pos)
        if isinstance(e, MatrixSelector):
            return MatrixSelector(sel(e.selector), e.range_ms, e.pos)
        if isinstance(e, Call):
            return Call(e.func, tuple(walk(a) for a in e.args), e.pos)
        if isinstance(e, Aggregate):
            return Aggregate(e.op, walk(e.expr), None if e.param is None else walk(e.param),
                             e.grouping, e.without, e.pos)
        if isinstance(e, Binary):
            return Binary(e.op, walk(e.lhs), walk(e.rhs), e.return_bool, e.matching, e.pos)
        if isinstance(e, Unary):
            return Unary(e.op, walk(e.expr), e.pos)
        return e

    return walk(expr)
