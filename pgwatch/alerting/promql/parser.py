"""The one adapter over promql-parser: its AST in, pgwatch's frozen AST (``ast``) out.

Everything outside the supported subset is refused here, at parse time, with a
``PromQLError`` whose ``construct`` names it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import promql_parser as pp

from pgwatch.alerting.promql import ast
from pgwatch.alerting.promql.ast import Card, Expr, VectorMatching
from pgwatch.alerting.promql.errors import PromQLError
from pgwatch.alerting.promql.matchers import Matcher, MatchOp
from pgwatch.alerting.promql.strict import check_syntax_2_42
from pgwatch.alerting.promql.values import METRIC_NAME

FUNCTIONS = frozenset({
    "rate", "irate", "increase", "delta",
    "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
    "last_over_time", "absent", "absent_over_time", "abs", "clamp_min", "clamp_max",
    "time", "vector", "scalar",
})
# promql-parser's enum members are not hashable: keyed by their printed names.
_MATCH_OPS = {"MatchOp.Equal": MatchOp.EQUAL, "MatchOp.NotEqual": MatchOp.NOT_EQUAL,
              "MatchOp.Re": MatchOp.REGEX, "MatchOp.NotRe": MatchOp.NOT_REGEX}
_CARDS = {"VectorMatchCardinality.OneToOne": Card.ONE_TO_ONE,
          "VectorMatchCardinality.ManyToOne": Card.MANY_TO_ONE,
          "VectorMatchCardinality.OneToMany": Card.ONE_TO_MANY,
          "VectorMatchCardinality.ManyToMany": Card.MANY_TO_MANY}


# promql-parser recurses once per operator and parenthesis and overflows its native stack
# (the process dies) somewhere past 4,000 of them; no rule comes near this.
MAX_OPERATORS = 2_000


def parse(text: str) -> Expr:
    """Parse ``text`` into pgwatch's AST; refuse anything outside the supported subset."""
    operators = sum(text.count(c) for c in "+-*/%^(<>=!")
    if operators > MAX_OPERATORS:
        raise PromQLError(f"cannot parse {text[:60]!r}...: {operators} operators and "
                          f"parentheses, more than the {MAX_OPERATORS} pgwatch reads",
                          construct="syntax")
    try:
        tree = pp.parse(text)
    except ValueError as exc:
        raise PromQLError(f"cannot parse {text!r}: {exc}", construct="syntax") from exc
    check_syntax_2_42(text)
    try:
        return _convert(tree)
    except RecursionError:
        raise PromQLError(f"cannot parse {text[:80]!r}...: nested too deeply",
                          construct="syntax") from None
    except PromQLError as exc:
        if exc.position is None:
            exc.position = _locate(text, exc.construct)
        raise


def _locate(text: str, construct: str) -> int | None:
    """Where a refused construct first appears (promql-parser reports no positions)."""
    token = {"@ modifier": "@", "subquery": ":", "'or' between matchers": " or "}.get(
        construct, construct.rpartition(" ")[2])
    found = text.find(token)
    return found if found >= 0 else None


def _refuse(construct: str) -> PromQLError:
    return PromQLError(f"{construct} is not supported by pgwatch's evaluator",
                       construct=construct)


def _ms(delta: dt.timedelta | None) -> int:
    if delta is None:
        return 0
    return delta // dt.timedelta(milliseconds=1)


def _convert(node: Any) -> Expr:  # noqa: PLR0911
    match node:
        case pp.NumberLiteral():
            return ast.NumberLiteral(float(node.val))
        case pp.StringLiteral():
            return ast.StringLiteral(str(node.val))
        case pp.VectorSelector():
            return _selector(node)
        case pp.MatrixSelector():
            return ast.MatrixSelector(_selector(node.vector_selector), _ms(node.range))
        case pp.ParenExpr():
            return ast.Paren(_convert(node.expr))
        case pp.UnaryExpr():
            return ast.UnaryMinus(_convert(node.expr))
        case pp.BinaryExpr():
            return _binary(node)
        case pp.AggregateExpr():
            return _aggregate(node)
        case pp.Call():
            return _call(node)
        case pp.SubqueryExpr():
            raise _refuse("subquery")
    raise _refuse(f"expression {type(node).__name__}")


def _selector(node: Any) -> ast.VectorSelector:
    if node.at is not None:
        raise _refuse("@ modifier")
    if node.matchers.or_matchers:
        raise _refuse("'or' between matchers")
    offset = _ms(node.offset)  # negative offsets are allowed, as promtool 2.42 allows them
    matchers = [Matcher.of(m.name, _MATCH_OPS[str(m.op)], m.value) for m in node.matchers.matchers]
    if node.name is not None:
        matchers.append(Matcher.of(METRIC_NAME, MatchOp.EQUAL, node.name))
    return ast.VectorSelector(node.name, tuple(matchers), offset)


def _binary(node: Any) -> ast.Binary:
    op = str(node.op)
    if op not in ast.ARITHMETIC | ast.COMPARISON | ast.SET_OPS:
        raise _refuse(f"operator {op}")
    lhs, rhs = _convert(node.lhs), _convert(node.rhs)
    modifier = node.modifier
    return_bool = bool(modifier is not None and modifier.return_bool)
    matching = None
    if ast.value_type(lhs) is ast.ValueType.VECTOR and ast.value_type(rhs) is ast.ValueType.VECTOR:
        matching = _matching(op, modifier)
    return ast.Binary(op, lhs, rhs, return_bool, matching)


def _matching(op: str, modifier: Any) -> VectorMatching:
    default = Card.MANY_TO_MANY if op in ast.SET_OPS else Card.ONE_TO_ONE
    if modifier is None:
        return VectorMatching(default, on=False, labels=())
    fill = modifier.fill_values
    if fill is not None and (fill.lhs is not None or fill.rhs is not None):
        raise _refuse("fill modifier")
    card = _CARDS.get(str(modifier.card), default)
    on, names = False, ()
    if modifier.matching is not None:
        on = modifier.matching.type == pp.LabelModifierType.Include
        names = tuple(modifier.matching.labels)
    include = tuple(modifier.group_labels or ())
    return VectorMatching(card, on, names, include)


def _aggregate(node: Any) -> ast.Aggregate:
    op = str(node.op)
    if op not in ast.AGGREGATIONS:
        raise _refuse(f"aggregation {op}")
    grouping: tuple[str, ...] = ()
    without = False
    if node.modifier is not None:
        grouping = tuple(sorted(node.modifier.labels))
        without = node.modifier.type == pp.AggModifierType.Without
    param = _convert(node.param) if node.param is not None else None
    return ast.Aggregate(op, _convert(node.expr), param, grouping, without)


def _call(node: Any) -> ast.Call:
    name = str(node.func.name)
    if name not in FUNCTIONS:
        raise _refuse(f"function {name}")
    return ast.Call(name, tuple(_convert(arg) for arg in node.args))


def parse_series_labels(text: str) -> tuple[tuple[str, str], ...]:
    """The label set of a series written as ``metric{a="b"}`` (promtool's input notation)."""
    try:
        tree = pp.parse(text)
    except ValueError as exc:
        raise PromQLError(f"cannot parse series {text!r}: {exc}", construct="series") from exc
    if not isinstance(tree, pp.VectorSelector) or tree.at is not None or tree.offset:
        raise PromQLError(f"series {text!r} is not a metric with labels", construct="series")
    pairs: dict[str, str] = {}
    if tree.name is not None:
        pairs[METRIC_NAME] = str(tree.name)
    for m in tree.matchers.matchers:
        if str(m.op) != "MatchOp.Equal":
            raise PromQLError(f"series {text!r}: label {m.name} must be set with '='",
                              construct="series")
        pairs[str(m.name)] = str(m.value)
    return tuple(sorted((k, v) for k, v in pairs.items() if v))


_UNITS = (("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000),
          ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1))


def parse_duration_ms(text: str) -> int:
    """A Prometheus duration (``5m``, ``1h30m``, ``250ms``, ``0``) in milliseconds.

    As Prometheus' model.ParseDuration: units y w d h m s ms, each at most once, in order.
    """
    if text == "0":
        return 0
    total, pos, unit_index = 0, 0, 0
    while pos < len(text):
        start = pos
        while pos < len(text) and text[pos].isdigit():
            pos += 1
        unit_start = pos
        while pos < len(text) and text[pos].isalpha():
            pos += 1
        number, unit = text[start:unit_start], text[unit_start:pos]
        names = [name for name, _ in _UNITS]
        if not number or unit not in names[unit_index:]:
            raise PromQLError(f"bad duration {text!r}", construct="duration")
        unit_index = names.index(unit) + 1
        total += int(number) * _UNITS[unit_index - 1][1]
    if not text:
        raise PromQLError("empty duration", construct="duration")
    return total
