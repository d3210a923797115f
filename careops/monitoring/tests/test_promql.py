"""The PromQL subset (careops/logic/promql.py): parsing, errors, evaluation semantics."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careops.logic import promql
from careops.logic.metrics import Selector, Series
from careops.logic.promql import ExprError, evaluate_instant, evaluate_range, parse

MIN = 60_000


def store(*series: Series) -> tuple[promql.Select, list[Selector]]:
    calls: list[Selector] = []

    def select(sel: Selector, start: int, end: int) -> list[Series]:
        calls.append(sel)
        return [Series(dict(s.labels), [p for p in s.points if start <= p[0] <= end])
                for s in series if sel.matches(s.labels)]

    return select, calls


def s(name: str, points: list[tuple[int, float]], **labels: str) -> Series:
    return Series({"__name__": name, **labels}, points)


def values(result: list[Series]) -> dict[tuple[tuple[str, str], ...], list[tuple[int, float]]]:
    return {tuple(sorted(r.labels.items())): r.points for r in result}


# --- parsing ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "up == 0",
    "probe_success == 0",
    "100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) > 90",
    'sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))',
    "sum(rate(x[5m])) without (cpu)",
    "predict_linear(node_filesystem_avail_bytes[6h], 7d) < 0",
    "probe_ssl_earliest_cert_expiry - time() < 30d",
    "pg_stat_activity_count / on(instance) group_left pg_settings_max_connections > 0.8",
    "a * on(x) group_right(y, z) b",
    "topk(3, rate(x[1h])) or bottomk(1, y)",
    "a and b unless c",
    "absent(up{job=\"his\"})",
    "quantile_over_time(0.9, x[1h])",
    "round(x, 0.5) + clamp_min(y, 0) - clamp_max(z, 1) + abs(ceil(floor(w)))",
    "x > bool 1",
    "scalar(sum(up)) * vector(2)",
    "{__name__=~\"node_.*\", job=\"node\"}",
    "x{a='single', b=`raw\\`}",
    "-x ^ 2 % 3",
    "0x1F + 1e3 + .5 + Inf - NaN",
    "timestamp(up) - 1h30m",
    "count_over_time(x[1d]) + absent_over_time(y[10m])",
    "irate(x[5m]) + increase(x[1h]) + delta(y[1h]) + deriv(y[1h])",
    "SUM BY (a) (x) AND ON (a) y",  # keywords are case-insensitive
])
def test_it_parses_the_subset(text: str) -> None:
    tree = parse(text)
    assert parse(promql.format_expr(tree)) == tree


@pytest.mark.parametrize(("text", "position", "reason"), [
    ("", 1, "empty"),
    ("rate(x)", 6, "expects a range vector"),
    ("sum(x", 6, "expected ',' or ')'"),
    ("x offset 5m", 3, "'offset' modifier is not supported"),
    ("x @ 100", 3, "'@' modifier"),
    ("rate(x[5m:1m])", 10, "subqueries"),
    ("x[5m]", 2, "range vector cannot be evaluated on its own"),
    ("histogram_quantile(0.9, x)", 1, "unknown or unsupported function"),
    ("stddev(x)", 1, "not supported"),
    ("1 > 2", 3, "bool modifier"),
    ("x + bool y", 5, "bool modifier can only be used on comparison"),
    ('x{a=~"("}', 6, "invalid regular expression"),
    ("{}", 1, "needs a metric name"),
    ('{a=""}', 1, "needs a metric name"),
    ("x{a=b}", 5, "quoted label value"),
    ("x $ y", 3, "unexpected character"),
    ('x{a="b}', 5, "unterminated string"),
    ("x[5s1m]", 3, "in order"),
    ("x and 1", 3, "instant vectors on both sides"),
    ("x + on(a) 1", 3, "vector matching"),
    ("x and on(a) group_left y", 13, "no grouping allowed"),
    ("x * group_left y", 5, "needs on() or ignoring()"),
    ('"str"', 1, "string is only allowed as a label value"),
    ("topk(x, y)", 6, "must be a scalar"),
    ("round(x, 1, 2)", 1, "takes 1 to 2 argument(s), got 3"),
    ("x y", 3, "unexpected 'y'"),
    ("x{a=\"\\q\"}", 6, "unknown escape"),
])
def test_it_refuses_what_is_outside_the_subset_naming_position_and_reason(
        text: str, position: int, reason: str) -> None:
    with pytest.raises(ExprError) as caught:
        parse(text)
    assert caught.value.position == position, str(caught.value)
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"at position {position}: ")


def test_it_lists_each_selector_once_with_the_range_of_range_selectors() -> None:
    tree = parse('rate(x{a="1"}[5m]) / x{a="1"} + rate(x{a="1"}[5m]) + y')
    sels = promql.selectors(tree)
    assert [(x.name, getattr(x, "range_ms", None)) for x in sels] == [
        ("x", 300_000), ("x", None), ("y", None)]
    assert isinstance(sels[0], promql.RangeSelector)
    assert sels[1] == Selector("x", sels[1].matchers)


def test_it_takes_the_name_matcher_as_the_metric_name() -> None:
    tree = parse('{__name__="up", job="a"}')
    assert isinstance(tree, promql.VectorSelector)
    assert tree.selector.name == "up"
    with pytest.raises(ExprError, match="set twice"):
        parse('up{__name__="x"}')


def test_it_binds_unary_minus_below_power_and_above_multiplication() -> None:
    select, _ = store()
    assert evaluate_instant("-2 ^ 2", select, 0)[0].points == [(0, -4.0)]
    assert evaluate_instant("2 ^ 3 ^ 2", select, 0)[0].points == [(0, 512.0)]
    assert evaluate_instant("-(1) * 3 + 10 / 4 % 2", select, 0)[0].points == [(0, -2.5)]
    assert evaluate_instant("1 + 2 > bool 2", select, 0)[0].points == [(0, 1.0)]


# --- selectors and lookback ---------------------------------------------------------------

def test_it_takes_the_last_sample_within_five_minutes() -> None:
    select, calls = store(s("up", [(0, 1.0), (60_000, 0.0)], job="a"))
    result = evaluate_range("up", select, 0, 10 * MIN, MIN)
    assert result[0].points == [(0, 1.0), (60_000, 0.0), (120_000, 0.0), (180_000, 0.0),
                                (240_000, 0.0), (300_000, 0.0)]
    assert result[0].labels == {"__name__": "up", "job": "a"}
    assert len(calls) == 1


def test_it_fetches_each_selector_once_for_the_whole_range() -> None:
    series = s("x", [(t, float(t)) for t in range(0, 3_600_000, 15_000)])
    fetched: list[tuple[int, int]] = []

    def select(sel: Selector, start: int, end: int) -> list[Series]:
        fetched.append((start, end))
        return [series]

    evaluate_range("rate(x[10m]) + x + avg_over_time(x[1m])", select, 1_800_000, 3_600_000,
                   MIN)
    assert fetched == [(1_800_000 - 600_000, 3_600_000)]


def test_it_filters_with_regex_and_negative_matchers() -> None:
    select, _ = store(s("x", [(0, 1.0)], code="500"), s("x", [(0, 2.0)], code="404"),
                      s("x", [(0, 3.0)], code="200"))
    got = evaluate_instant('x{code=~"5..|4.*", code!="404"}', select, 0)
    assert [r.points[0][1] for r in got] == [1.0]
    got = evaluate_instant('x{code!~"2.."}', select, 0)
    assert sorted(r.points[0][1] for r in got) == [1.0, 2.0]


# --- functions ----------------------------------------------------------------------------

def counter(points: list[tuple[int, float]]) -> Series:
    return s("c", points, job="j")


def test_it_computes_rate_with_extrapolation_like_prometheus() -> None:
    # Samples every 15 s rising 1.5 per sample (0.1/s), window of 1 minute ending at 120 s.
    pts = [(t, t / 1000 * 0.1) for t in range(15_000, 125_000, 15_000)]
    select, _ = store(counter(pts))
    [r] = evaluate_instant("rate(c[1m])", select, 120_000)
    assert r.labels == {"job": "j"}
    assert r.points[0][1] == pytest.approx(0.1)
    [inc] = evaluate_instant("increase(c[1m])", select, 120_000)
    assert inc.points[0][1] == pytest.approx(6.0)


def test_it_handles_counter_resets() -> None:
    pts = [(0, 10.0), (15_000, 20.0), (30_000, 5.0), (45_000, 15.0), (60_000, 25.0)]
    select, _ = store(counter(pts))
    [inc] = evaluate_instant("increase(c[61s])", select, 60_000)
    # 10 → 20 (+10), reset to 5 (+5), → 15 (+10), → 25 (+10): 35 over the 60 s sampled,
    # extrapolated towards the window start no further than the zero point of the counter.
    raw = 35.0
    assert inc.points[0][1] == pytest.approx(raw * (60 + 1) / 60, rel=0.02)
    [ir] = evaluate_instant("irate(c[1m])", select, 60_000)
    assert ir.points[0][1] == pytest.approx(10 / 15)
    [d] = evaluate_instant("delta(c[61s])", select, 60_000)  # delta ignores resets
    assert d.points[0][1] == pytest.approx(15.0 * 61 / 60, rel=0.02)


def test_it_needs_two_samples_for_rate_and_one_for_over_time() -> None:
    select, _ = store(counter([(0, 1.0)]))
    assert evaluate_instant("rate(c[1m])", select, 30_000) == []
    assert evaluate_instant("count_over_time(c[1m])", select, 30_000)[0].points == [
        (30_000, 1.0)]


def test_it_computes_the_over_time_functions() -> None:
    pts = [(t * 1000, float(v)) for t, v in [(10, 4), (20, 1), (30, 9), (40, 2), (50, 7)]]
    select, _ = store(s("g", pts))

    def at(q: str) -> float:
        return evaluate_instant(q, select, 50_000)[0].points[0][1]

    assert at("avg_over_time(g[1m])") == pytest.approx(4.6)
    assert at("sum_over_time(g[1m])") == 23
    assert at("min_over_time(g[1m])") == 1
    assert at("max_over_time(g[1m])") == 9
    assert at("count_over_time(g[30s])") == 3  # (20 s, 50 s]: 30, 40, 50
    assert at("last_over_time(g[1m])") == 7
    assert at("quantile_over_time(0.5, g[1m])") == 4
    assert at("quantile_over_time(0.25, g[1m])") == 2
    assert evaluate_instant("last_over_time(g[1m])", select, 50_000)[0].labels == {
        "__name__": "g"}
    assert evaluate_instant("max_over_time(g[1m])", select, 50_000)[0].labels == {}


def test_it_fits_deriv_and_predict_linear() -> None:
    pts = [(t * 1000, 100.0 - 2.0 * t) for t in range(0, 61, 10)]
    select, _ = store(s("disk", pts))
    [d] = evaluate_instant("deriv(disk[2m])", select, 60_000)
    assert d.points[0][1] == pytest.approx(-2.0)
    [p] = evaluate_instant("predict_linear(disk[2m], 20)", select, 60_000)
    assert p.points[0][1] == pytest.approx(100 - 2 * 80)


def test_it_reports_absence_with_the_selectors_labels() -> None:
    select, _ = store(s("up", [(0, 1.0)], job="his"))
    assert evaluate_instant('absent(up{job="his"})', select, 60_000) == []
    [a] = evaluate_instant('absent(up{job="lis", instance=~"x.*"})', select, 60_000)
    assert a.labels == {"job": "lis"} and a.points == [(60_000, 1.0)]
    [b] = evaluate_instant('absent_over_time(up{job="his"}[1m])', select, 120_000)
    assert b.labels == {"job": "his"}
    assert evaluate_instant('absent_over_time(up{job="his"}[5m])', select, 120_000) == []


def test_it_computes_time_timestamp_vector_and_scalar() -> None:
    select, _ = store(s("x", [(30_000, 5.0)], a="1"), s("y", [(0, 1.0)], a="1"),
                      s("y", [(0, 2.0)], a="2"))
    assert evaluate_instant("time()", select, 90_000)[0].points == [(90_000, 90.0)]
    assert evaluate_instant("timestamp(x)", select, 90_000)[0].points == [(90_000, 30.0)]
    assert evaluate_instant("vector(3)", select, 0) == [Series({}, [(0, 3.0)])]
    assert evaluate_instant("scalar(x)", select, 90_000)[0].points == [(90_000, 5.0)]
    assert math.isnan(evaluate_instant("scalar(y)", select, 60_000)[0].points[0][1])


def test_it_rounds_and_clamps() -> None:
    select, _ = store(s("x", [(0, -2.345)]))

    def at(q: str) -> float:
        return evaluate_instant(q, select, 0)[0].points[0][1]

    assert at("abs(x)") == 2.345
    assert at("ceil(x)") == -2
    assert at("floor(x)") == -3
    assert at("round(x)") == -2
    assert at("round(x, 0.1)") == pytest.approx(-2.3)
    assert at("clamp_min(x, 0)") == 0
    assert at("clamp_max(x, -5)") == -5


# --- aggregation and binary operators -------------------------------------------------------

def cpu_store() -> promql.Select:
    select, _ = store(
        s("cpu", [(0, 10.0)], host="a", mode="user"), s("cpu", [(0, 30.0)], host="a", mode="sys"),
        s("cpu", [(0, 50.0)], host="b", mode="user"), s("cpu", [(0, 70.0)], host="b", mode="sys"),
        s("cores", [(0, 2.0)], host="a"), s("cores", [(0, 4.0)], host="b"),
        s("role", [(0, 1.0)], host="a", team="his"),
    )
    return select


def test_it_aggregates_by_and_without() -> None:
    select = cpu_store()
    got = values(evaluate_instant("sum by (host) (cpu)", select, 0))
    assert got == {(("host", "a"),): [(0, 40.0)], (("host", "b"),): [(0, 120.0)]}
    got = values(evaluate_instant("avg without (mode) (cpu)", select, 0))
    assert got == {(("host", "a"),): [(0, 20.0)], (("host", "b"),): [(0, 60.0)]}
    assert evaluate_instant("count(cpu)", select, 0)[0].points == [(0, 4.0)]
    assert evaluate_instant("max(cpu)", select, 0)[0].points == [(0, 70.0)]
    assert evaluate_instant("min by (mode) (cpu)", select, 0)[0].labels in (
        {"mode": "user"}, {"mode": "sys"})


def test_it_keeps_the_labels_of_topk_and_bottomk() -> None:
    select = cpu_store()
    top = evaluate_instant("topk(1, cpu) by (host)", select, 0)
    assert sorted((r.labels["host"], r.labels["mode"]) for r in top) == [
        ("a", "sys"), ("b", "sys")]
    assert top[0].labels["__name__"] == "cpu"
    bottom = evaluate_instant("bottomk(2, cpu)", select, 0)
    assert sorted(r.points[0][1] for r in bottom) == [10.0, 30.0]


def test_it_matches_one_to_one_and_many_to_one() -> None:
    select = cpu_store()
    got = values(evaluate_instant("sum by (host) (cpu) / cores", select, 0))
    assert got == {(("host", "a"),): [(0, 20.0)], (("host", "b"),): [(0, 30.0)]}
    got = values(evaluate_instant("cpu / on(host) group_left cores", select, 0))
    assert got[(("host", "a"), ("mode", "sys"))] == [(0, 15.0)]
    got = values(evaluate_instant("cores * on(host) group_left(team) role", select, 0))
    assert got == {(("host", "a"), ("team", "his")): [(0, 2.0)]}
    got = values(evaluate_instant("role * on(host) group_right cpu", select, 0))
    assert got[(("host", "a"), ("mode", "user"))] == [(0, 10.0)]


def test_it_refuses_implicit_many_to_one_matching() -> None:
    select = cpu_store()
    with pytest.raises(promql.EvalError, match="many-to-one matching must be explicit"):
        evaluate_instant("cpu / ignoring(mode) cores", select, 0)
    with pytest.raises(promql.EvalError, match="duplicate series"):
        evaluate_instant("cores / ignoring(mode) cpu", select, 0)


def test_it_filters_with_comparisons_and_keeps_the_name() -> None:
    select = cpu_store()
    got = evaluate_instant("cpu > 40", select, 0)
    assert sorted(r.points[0][1] for r in got) == [50.0, 70.0]
    assert got[0].labels["__name__"] == "cpu"
    got = evaluate_instant("40 < cpu", select, 0)  # the vector's value is kept
    assert sorted(r.points[0][1] for r in got) == [50.0, 70.0]
    got = evaluate_instant("cpu > bool 40", select, 0)
    assert sorted(r.points[0][1] for r in got) == [0.0, 0.0, 1.0, 1.0]
    assert "__name__" not in got[0].labels
    got = evaluate_instant("sum by (host) (cpu) > on(host) cores * 10", select, 0)
    assert values(got) == {(("host", "a"),): [(0, 40.0)], (("host", "b"),): [(0, 120.0)]}


def test_it_combines_with_and_or_unless() -> None:
    select = cpu_store()
    got = evaluate_instant("cores and on(host) role", select, 0)
    assert [r.labels["host"] for r in got] == ["a"]
    got = evaluate_instant("cores unless on(host) role", select, 0)
    assert [r.labels["host"] for r in got] == ["b"]
    got = evaluate_instant('cores{host="a"} or cores', select, 0)
    assert sorted(r.labels["host"] for r in got) == ["a", "b"]
    got = evaluate_instant("role or vector(0)", select, 0)
    assert len(got) == 2


def test_it_refuses_results_with_the_same_labels() -> None:
    select, _ = store(s("x", [(0, 1.0)], a="1"), s("y", [(0, 2.0)], a="1"))
    with pytest.raises(promql.EvalError, match="same labelset"):
        evaluate_instant('abs({a="1"})', select, 0)


def test_it_follows_ieee_division_and_modulo() -> None:
    select, _ = store(s("x", [(0, 0.0)]), s("y", [(0, 1.0)]))
    assert math.isnan(evaluate_instant("x / x", select, 0)[0].points[0][1])
    assert evaluate_instant("y / x", select, 0)[0].points[0][1] == math.inf
    assert evaluate_instant("-y / x", select, 0)[0].points[0][1] == -math.inf
    assert math.isnan(evaluate_instant("y % x", select, 0)[0].points[0][1])
    assert evaluate_instant("-7 % 3", select, 0)[0].points[0][1] == -1.0


def test_it_refuses_too_many_steps() -> None:
    select, _ = store()
    with pytest.raises(ValueError, match="exceed the limit"):
        evaluate_range("1", select, 0, 10**12, 1000)


def test_it_evaluates_the_disk_expression_over_a_week_of_twenty_series() -> None:
    week = 7 * 86_400_000
    series = []
    for i in range(20):
        series.append(s("avail", [(t, 50.0 + i) for t in range(0, week + 1, MIN)], i=str(i)))
        series.append(s("size", [(t, 100.0) for t in range(0, week + 1, MIN)], i=str(i)))
    select, calls = store(*series)
    got = evaluate_range("100 * (1 - avail / size)", select, 0, week, MIN)
    assert len(got) == 20 and len(calls) == 2
    assert all(len(r.points) == week // MIN + 1 for r in got)
    assert sorted(r.points[-1][1] for r in got) == pytest.approx([31.0 + i for i in range(20)])


# --- properties -----------------------------------------------------------------------------

label_names = st.sampled_from(["job", "instance", "mode", "a_b", "x1"])
label_values = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6)
metric_names = st.sampled_from(["up", "node_cpu_seconds_total", "x:rule", "sum_x", "by_"])


@st.composite
def selectors_(draw: st.DrawFn) -> Selector:
    name = draw(st.one_of(st.none(), metric_names))
    ms = draw(st.lists(st.tuples(label_names, st.sampled_from(["=", "!=", "=~", "!~"]),
                                 label_values), max_size=3))
    matchers = tuple(promql.Matcher(lab, op, val if op in ("=", "!=") else "a.*")
                     for lab, op, val in ms)
    if name is None:
        matchers = (*matchers, promql.Matcher("job", "=", "j"))
    return Selector(name, matchers)


numbers = st.floats(allow_nan=False, width=64).map(lambda v: promql.NumberLiteral(v))
vectors = selectors_().map(lambda sel: promql.VectorSelector(sel))
durations = st.integers(min_value=1, max_value=10**10)


def exprs() -> st.SearchStrategy[promql.Expr]:
    def extend(children: st.SearchStrategy[promql.Expr]) -> st.SearchStrategy[promql.Expr]:
        vec_children = children.filter(lambda e: promql.type_of(e) == promql.VECTOR)
        return st.one_of(
            st.builds(promql.Call, st.sampled_from(["rate", "deriv", "avg_over_time"]),
                      st.tuples(st.builds(promql.MatrixSelector, selectors_(), durations))),
            st.builds(lambda e: promql.Call("abs", (e,)), vec_children),
            st.builds(lambda op, e, g, w: promql.Aggregate(op, e, None, g, w),
                      st.sampled_from(["sum", "avg", "min", "max", "count"]), vec_children,
                      st.lists(label_names, max_size=2).map(tuple), st.booleans()),
            st.builds(lambda e: promql.Unary("-", e), children),
            st.builds(lambda op, a, b: promql.Binary(op, a, b),
                      st.sampled_from(promql.ARITHMETIC), children, children),
            st.builds(lambda op, a, b, on, labs: promql.Binary(
                op, a, b, matching=promql.VectorMatching(on, labs, "many-to-many")),
                st.sampled_from(promql.SET_OPS), vec_children, vec_children, st.booleans(),
                st.lists(label_names, max_size=2).map(tuple)),
            st.builds(lambda op, a, b: promql.Binary(op, a, b, return_bool=True),
                      st.sampled_from(promql.COMPARISONS), children, children),
        )

    return st.recursive(st.one_of(numbers, vectors), extend, max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(exprs())
def test_it_parses_what_it_formats(tree: promql.Expr) -> None:
    assert parse(promql.format_expr(tree)) == tree


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_it_either_parses_or_raises_expr_error_on_any_text(text: str) -> None:
    try:
        parse(text)
    except ExprError as exc:
        assert 1 <= exc.position <= len(text) + 1
        assert exc.reason


sample_values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(st.lists(sample_values, min_size=1, max_size=30), sample_values)
def test_it_keeps_arithmetic_identities(vals: list[float], k: float) -> None:
    series = s("x", [(i * 15_000, v) for i, v in enumerate(vals)])
    select, _ = store(series)
    end = (len(vals) - 1) * 15_000
    base = values(evaluate_range("x", select, 0, end, 15_000))
    for q in ("x + 0", "x * 1", "(x + k) - k", "--x", "x / 1", "0 + x"):
        got = values(evaluate_range(q.replace("k", repr(k)), select, 0, end, 15_000))
        assert list(got) == [()]
        for (_, a), (_, b) in zip(got[()], base[(("__name__", "x"),)], strict=True):
            assert a == pytest.approx(b, rel=1e-9, abs=1e-6)
    doubled = values(evaluate_range("x + x", select, 0, end, 15_000))[()]
    assert [v for _, v in doubled] == [2 * v for _, v in base[(("__name__", "x"),)]]


@st.composite
def counters(draw: st.DrawFn) -> list[tuple[int, float]]:
    steps = draw(st.lists(st.floats(min_value=0, max_value=1e4), min_size=2, max_size=40))
    gaps = draw(st.lists(st.integers(min_value=1_000, max_value=60_000), min_size=len(steps),
                         max_size=len(steps)))
    resets = draw(st.sets(st.integers(min_value=1, max_value=len(steps) - 1), max_size=3))
    t, v, pts = 0, 0.0, []
    for i, (inc, gap) in enumerate(zip(steps, gaps, strict=True)):
        t += gap
        v = inc if i in resets else v + inc
        pts.append((t, v))
    return pts


@settings(max_examples=150, deadline=None)
@given(counters(), st.sampled_from([30_000, 60_000, 300_000, 900_000]))
def test_it_never_gives_a_negative_rate_on_a_counter_even_across_resets(
        pts: list[tuple[int, float]], window: int) -> None:
    select, _ = store(counter(pts))
    end = pts[-1][0] + 30_000
    for q in (f"rate(c[{window}ms])", f"increase(c[{window}ms])", f"irate(c[{window}ms])"):
        for r in evaluate_range(q, select, 0, end, 7_000):
            assert all(v >= 0 for _, v in r.points), q


@settings(max_examples=100, deadline=None)
@given(counters())
def test_it_counts_the_whole_increase_of_a_counter_over_its_samples(
        pts: list[tuple[int, float]]) -> None:
    # Over a window holding every sample and starting exactly one average interval
    # before the first, increase() is at least the sum of the positive steps (resets
    # count from zero) and no more than the extrapolation allows.
    real = 0.0
    prev = 0.0
    for i, (_, v) in enumerate(pts):
        real += v if i and v < prev else (v - prev if i else 0.0)
        prev = v
    select, _ = store(counter(pts))
    span = pts[-1][0] - pts[0][0]
    window = span + 1
    [r] = evaluate_instant(f"increase(c[{window}ms])", select, pts[-1][0]) or [None]
    assert r is not None
    got = r.points[0][1]
    assert got >= real - 1e-6 * max(1.0, real)
    assert got <= real * (span + window) / span + 1e-6


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=-1e9, max_value=1e9), min_size=60, max_size=300),
       st.sampled_from([10, 55, 130]), st.integers(min_value=1_000, max_value=60_000))
def test_it_fits_long_windows_as_the_direct_fit_does(
        vals: list[float], window_pts: int, gap: int) -> None:
    pts = [(i * gap, v) for i, v in enumerate(vals)]
    select, _ = store(s("g", pts))
    rng = window_pts * gap
    end = pts[-1][0]
    fast = {t: v for r in evaluate_range(f"deriv(g[{rng}ms])", select, min(rng, end), end, gap)
            for t, v in r.points}
    times, values = [p[0] for p in pts], [p[1] for p in pts]
    for t, v in fast.items():
        lo = next(k for k, x in enumerate(times) if x > t - rng)
        hi = next((k for k, x in enumerate(times) if x > t), len(times))
        slope, _ = promql._regression(times, values, lo, hi, times[lo])
        assert v == pytest.approx(slope, rel=1e-6, abs=1e-6 * max(1.0, max(map(abs, vals))))
    for fn, ref in (("max_over_time", max), ("min_over_time", min),
                    ("sum_over_time", math.fsum)):
        got = {t: v for r in evaluate_range(f"{fn}(g[{rng}ms])", select, 0, end, gap)
               for t, v in r.points}
        for t, v in got.items():
            window = [y for x, y in pts if t - rng < x <= t]
            assert v == pytest.approx(ref(window), rel=1e-9, abs=1e-3), fn
