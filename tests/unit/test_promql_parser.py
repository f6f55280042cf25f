"""The parser adapter: what it builds, what it refuses (and how the refusal reads)."""

from __future__ import annotations

import pytest

from pgwatch.alerting.promql import (
    PromQLError,
    ast,
    metric_names,
    names_every_metric,
    parse,
    window_needed_ms,
)
from pgwatch.alerting.promql.ast import Card, ValueType, value_type
from pgwatch.alerting.promql.matchers import MatchOp
from pgwatch.alerting.promql.parser import parse_duration_ms


@pytest.mark.parametrize(("text", "construct"), [
    ("histogram_quantile(0.9, rate(x[5m]))", "function histogram_quantile"),
    ("label_replace(x, 'a', '$1', 'b', '(.*)')", "function label_replace"),
    ("sort(x)", "function sort"),
    ("predict_linear(x[1h], 3600)", "function predict_linear"),
    ("rate(x[5m:1m])", "subquery"),
    ("max_over_time((x > 1)[10m:])", "subquery"),
    ("x @ 100", "@ modifier"),
    ("rate(x[5m] @ end())", "@ modifier"),
    ("quantile(0.9, x)", "aggregation quantile"),
    ("count_values('v', x)", "aggregation count_values"),
    ("stddev(x)", "aggregation stddev"),
    ("group(x)", "aggregation group"),
    ("a atan2 b", "operator atan2"),
    ("sum(rate(x[5m])) / sum(histogram_quantile(0.5, y))", "function histogram_quantile"),
])
def test_unsupported_constructs_are_refused_by_name(text: str, construct: str) -> None:
    with pytest.raises(PromQLError) as caught:
        parse(text)
    assert caught.value.construct == construct
    assert str(caught.value) == f"{construct} is not supported by pgwatch's evaluator"
    assert caught.value.position is not None
    token = {"@ modifier": "@", "subquery": ":"}.get(construct, construct.rpartition(" ")[2])
    assert text[caught.value.position:].startswith(token)


@pytest.mark.parametrize(("text", "fragment"), [
    ("sum(x", "unclosed left parenthesis"),
    ("rate(x)", "expected type matrix in call to function 'rate', got vector"),
    ("1 > 2", "comparisons between scalars must use BOOL modifier"),
    ("x{a=~\"(\"}", "illegal regex"),
    ("nosuch(x)", "unknown function with name 'nosuch'"),
])
def test_syntax_errors_name_the_expression_and_the_reason(text: str, fragment: str) -> None:
    with pytest.raises(PromQLError) as caught:
        parse(text)
    assert caught.value.construct == "syntax"
    assert repr(text) in str(caught.value)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("text", "message", "position"), [
    ("rate(x[5])", "missing unit character in duration", 7),
    ("x offset 5", 'unexpected number "5" in offset', 9),
    ("x[5m] offset 0", 'unexpected number "0" in offset', 13),
    ("5m + x", 'unexpected duration "5m"', 0),
])
def test_prometheus_2_42_number_and_duration_syntax(text: str, message: str,
                                                    position: int) -> None:
    with pytest.raises(PromQLError) as caught:
        parse(text)
    assert str(caught.value) == f"cannot parse {text!r}: {message}"
    assert caught.value.position == position


@pytest.mark.parametrize("text", ['x{a="5m"} offset 5m', "1e3 + x", "1.5E-3 * x", "1e+3 + x",
                                  "0x1A + x", "x # 5m", "x1m", "x offset -5m", "x{a=`5`} + 1"])
def test_numbers_and_durations_2_42_accepts(text: str) -> None:
    parse(text)


def test_selector_keeps_the_name_as_a_matcher_and_offset_in_ms() -> None:
    node = parse('http_requests_total{job="api", code=~"5.."} offset 90s')
    assert isinstance(node, ast.VectorSelector)
    assert node.name == "http_requests_total"
    assert node.offset_ms == 90_000
    assert [(m.name, m.op, m.value) for m in node.matchers] == [
        ("job", MatchOp.EQUAL, "api"), ("code", MatchOp.REGEX, "5.."),
        ("__name__", MatchOp.EQUAL, "http_requests_total")]


def test_regex_matchers_are_anchored_at_both_ends() -> None:
    node = parse('x{code=~"5.", path!~"/api"}')
    assert isinstance(node, ast.VectorSelector)
    regex, not_regex = node.matchers[0], node.matchers[1]
    assert regex.matches("50") and not regex.matches("500") and not regex.matches("150")
    assert not_regex.matches("/api/v1") and not not_regex.matches("/api")
    assert not regex.matches("")


def test_bad_regular_expressions_are_one_quiet_error(capfd: pytest.CaptureFixture[str]) -> None:
    for pattern, reason in [("a++", "bad repetition operator: ++"),
                            ("(?<n>a)", "invalid or unsupported Perl syntax")]:
        with pytest.raises(PromQLError) as caught:
            parse(f'x{{a=~"{pattern}"}}')
        assert caught.value.construct == "regular expression"
        assert str(caught.value).startswith(f"invalid regular expression {pattern!r}: {reason}")
    assert capfd.readouterr().err == ""  # RE2 logs nothing of its own


def test_binary_matching_and_grouping_are_converted() -> None:
    node = parse("a / on(job, instance) group_left(version) b > bool 0.5")
    assert isinstance(node, ast.Binary) and node.op == ">" and node.return_bool
    assert node.matching is None  # vector > scalar
    inner = node.lhs
    assert isinstance(inner, ast.Binary)
    assert inner.matching == ast.VectorMatching(Card.MANY_TO_ONE, True, ("job", "instance"),
                                                ("version",))
    setop = parse("a unless ignoring(x) b")
    assert isinstance(setop, ast.Binary)
    assert setop.matching == ast.VectorMatching(Card.MANY_TO_MANY, False, ("x",), ())


def test_aggregation_grouping_is_sorted() -> None:
    node = parse("topk(3, x) by (zone, app)")
    assert isinstance(node, ast.Aggregate)
    assert (node.op, node.grouping, node.without) == ("topk", ("app", "zone"), False)
    assert node.param == ast.NumberLiteral(3.0)


def test_value_types() -> None:
    assert value_type(parse("1 + 2")) is ValueType.SCALAR
    assert value_type(parse("time() - 1")) is ValueType.SCALAR
    assert value_type(parse("x + 1")) is ValueType.VECTOR
    assert value_type(parse("x[5m]")) is ValueType.MATRIX
    assert value_type(parse('"s"')) is ValueType.STRING
    assert value_type(parse("-(scalar(x))")) is ValueType.SCALAR


def test_names_every_metric() -> None:
    assert names_every_metric(parse('rate(a[5m]) / on(x) b{c="d"} or absent({__name__="e"})'))
    assert not names_every_metric(parse('a + {job="x"}'))
    assert not names_every_metric(parse('sum({__name__=~"a|b"})'))
    assert names_every_metric(parse("vector(1)"))


def test_metric_names_and_window_needed() -> None:
    expr = parse('rate(a[10m] offset 5m) / on(x) b or absent({__name__="c"}) or d{e=~"f"}')
    assert metric_names(expr) == frozenset({"a", "b", "c", "d"})
    assert window_needed_ms(expr) == 15 * 60_000
    assert window_needed_ms(parse("x offset 1h")) == 65 * 60_000
    assert window_needed_ms(parse("max_over_time(x[2m])")) == 2 * 60_000
    assert window_needed_ms(parse("vector(1)")) == 0


@pytest.mark.parametrize(("text", "ms"), [
    ("0", 0), ("0s", 0), ("90s", 90_000), ("1h30m", 5_400_000), ("250ms", 250),
    ("1d", 86_400_000), ("1w", 604_800_000), ("1y", 31_536_000_000),
])
def test_durations(text: str, ms: int) -> None:
    assert parse_duration_ms(text) == ms


@pytest.mark.parametrize("text", ["", "5", "5x", "m5", "5m1h", "1.5m", "-1m"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(PromQLError):
        parse_duration_ms(text)
