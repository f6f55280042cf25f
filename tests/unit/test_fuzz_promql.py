"""Properties of the PromQL subset: any text parses or is refused with a clean PromQLError,
and whatever parses evaluates to a value or a clean error over a small window, in bounded
time and memory (ranges and offsets of any size, deep nesting)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pgwatch.alerting.promql import Expr, PromQLError, SeriesWindow, evaluate, parse
from pgwatch.alerting.promql.parser import parse_duration_ms
from pgwatch.errors import PgwatchError
from tests.unit.fuzzing import budget, clean

NAMES = ("up", "pgwatch_up", "x_total", "a")
ODD_NAMES = ("on", "by", "sum", "inf", "nan", "offset")
LABELS = ("job", "target", "le", "__name__", "instance")
DURATIONS = ("1ms", "1s", "5m", "1h", "1d", "52w", "10y", "1h30m")
ODD_DURATIONS = ("0s", "1.5m", "9999999999y", "5", "-5m", "")
RANGE_FUNCTIONS = ("rate", "increase", "delta", "irate", "avg_over_time", "max_over_time",
                   "min_over_time", "sum_over_time", "count_over_time", "last_over_time",
                   "absent_over_time", "deriv", "predict_linear", "holt_winters",
                   "quantile_over_time", "changes", "resets")
INSTANT_FUNCTIONS = ("abs", "absent", "ceil", "floor", "round", "clamp", "clamp_min", "exp",
                     "ln", "sqrt", "time", "vector", "scalar", "timestamp", "label_replace",
                     "label_join", "sort", "sort_desc", "histogram_quantile", "day_of_week",
                     "sgn", "hour")
ODD_FUNCTIONS = ("nosuchfunction", "rate", "sum")
AGGREGATIONS = ("sum", "avg", "max", "min", "count", "topk", "bottomk", "quantile",
                "count_values", "stddev", "stdvar", "group")
BINARY = ("+", "-", "*", "/", "%", "^", "==", "!=", ">", "<", ">=", "<=", "and", "or",
          "unless", "== bool", "> bool", "atan2")
NUMBERS = ("0", "1", "-1", "0.5", "1e308", "-1e308", "1e-320", "NaN", "Inf", "-Inf", "0x1f",
           "1_000", "99999999999999999999999")


def _selector() -> st.SearchStrategy[str]:
    matcher = st.builds(lambda label, op, value: f'{label}{op}"{value}"',
                        st.sampled_from(LABELS), st.sampled_from(("=", "!=", "=~", "!~")),
                        _mostly(("x", "", ".*", "a|b", "db.*"), ("(", "[", "\\\\", "é", "x{2,}")))
    return st.builds(lambda name, ms: name + ("{" + ", ".join(ms) + "}" if ms else ""),
                     _mostly(NAMES, ODD_NAMES), st.lists(matcher, max_size=3))


def _mostly(usual: tuple[str, ...], odd: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Valid choices nine times in ten: deep cases need their parts to parse."""
    return st.integers(0, 9).flatmap(lambda i: st.sampled_from(odd if i == 0 else usual))


def _expr() -> st.SearchStrategy[str]:
    leaf = st.one_of(_selector(), _selector(), st.sampled_from(NUMBERS),
                     _mostly(("1",), ('"text"', "'q'", "`raw`", "up @ 0", "up @ start()")))

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        duration = _mostly(DURATIONS, ODD_DURATIONS)
        ranged = st.builds(lambda s, d: f"{s}[{d}]", _selector(), duration)
        return st.one_of(
            st.builds(lambda f, r: f"{f}({r})", st.sampled_from(RANGE_FUNCTIONS), ranged),
            st.builds(lambda f, e, n: f"{f}({e}{', ' + n if n else ''})",
                      _mostly(INSTANT_FUNCTIONS, ODD_FUNCTIONS), inner,
                      st.sampled_from(("", "1", "0.5", '"a"', '"dst", "src", "(.*)", "$1"'))),
            st.builds(lambda a, p, e, by: f"{a}{by}({p}{e})", st.sampled_from(AGGREGATIONS),
                      st.sampled_from(("", "3, ", "0.5, ", '"v", ', "-1, ", "1e10, ")), inner,
                      st.sampled_from(("", " by (job)", " without (le)", " by ()"))),
            st.builds(lambda a, op, m, b: f"{a} {op}{m} {b}", inner, st.sampled_from(BINARY),
                      st.sampled_from(("", " on(job)", " ignoring(le)",
                                       " on(job) group_left(target)",
                                       " on() group_right")), inner),
            st.builds(lambda e: f"({e})", inner),
            st.builds(lambda e: f"-{e}", inner),
            st.builds(lambda e, d: f"{e} offset {d}", _selector(), duration),
            st.builds(lambda e, d, s: f"max_over_time(({e})[{d}:{s}])", inner, duration,
                      st.sampled_from(("", "1s", "1ms"))),
        )

    return st.recursive(leaf, extend, max_leaves=12)


def _window() -> SeriesWindow:
    window = SeriesWindow()
    for step in range(0, 20):
        at = step * 15_000
        for job in ("api", "web"):
            for target in ("db1", "db2"):
                value = float(step * (3 if job == "api" else 1)) if step != 7 else 0.0
                for name in ("up", "pgwatch_up", "x_total", "a"):
                    labels = tuple(sorted((("__name__", name), ("job", job),
                                           ("target", target))))
                    window.add(labels, at, value)
    return window


WINDOW = _window()


def _parse_and_evaluate(text: str) -> None:
    parsed = clean(lambda: parse(text))
    if isinstance(parsed, PgwatchError):
        assert isinstance(parsed, PromQLError)
        return
    assert isinstance(parsed, Expr)
    for at_ms in (0, 150_000, 600_000):
        outcome = clean(lambda: evaluate(parsed, WINDOW, at_ms))  # noqa: B023 - called now
        assert not isinstance(outcome, PgwatchError) or isinstance(outcome, PromQLError)


@budget(500)
@given(_expr())
def test_generated_expressions_parse_and_evaluate_or_fail_cleanly(text: str) -> None:
    _parse_and_evaluate(text)


@budget(300)
@given(st.text(alphabet=st.sampled_from('up{}[]()"=~!,.:@+-*/%^<> 0123456789smhdwy_byonx\\\''),
               max_size=40))
def test_punctuation_soup_parses_or_fails_cleanly(text: str) -> None:
    _parse_and_evaluate(text)


@budget(150)
@given(st.text(max_size=30))
def test_any_duration_text_parses_or_fails_cleanly(text: str) -> None:
    clean(lambda: parse_duration_ms(text))


def test_deep_nesting_is_refused_or_evaluated_not_a_recursion_error() -> None:
    for depth in (50, 500, 5000):
        _parse_and_evaluate("(" * depth + "up" + ")" * depth)
        _parse_and_evaluate("-" * depth + "1")
        _parse_and_evaluate(" + ".join(["up"] * depth))
