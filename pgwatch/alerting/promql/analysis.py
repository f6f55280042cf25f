"""What an expression reads: the metric names it selects and how far back it looks."""

from __future__ import annotations

from collections.abc import Iterator

from pgwatch.alerting.promql import ast
from pgwatch.alerting.promql.engine import LOOKBACK_MS
from pgwatch.alerting.promql.matchers import MatchOp
from pgwatch.alerting.promql.values import METRIC_NAME


def _children(expr: ast.Expr) -> Iterator[ast.Expr]:
    match expr:
        case ast.MatrixSelector(selector):
            yield selector
        case ast.Paren(inner) | ast.UnaryMinus(inner):
            yield inner
        case ast.Binary(lhs=lhs, rhs=rhs):
            yield lhs
            yield rhs
        case ast.Aggregate(expr=inner, param=param):
            if param is not None:
                yield param
            yield inner
        case ast.Call(args=args):
            yield from args


def walk(expr: ast.Expr) -> Iterator[ast.Expr]:
    """Every node of the tree, parents before children."""
    yield expr
    for child in _children(expr):
        yield from walk(child)


def metric_names(expr: ast.Expr) -> frozenset[str]:
    """Every metric name a selector names with ``name`` or ``{__name__="name"}``."""
    names: set[str] = set()
    for node in walk(expr):
        if isinstance(node, ast.VectorSelector):
            names.update(m.value for m in node.matchers
                         if m.name == METRIC_NAME and m.op is MatchOp.EQUAL)
    return frozenset(names)


def names_every_metric(expr: ast.Expr) -> bool:
    """Whether every selector names its metric with ``=``: only then does keeping just the
    ``metric_names`` in a window lose nothing this expression reads (``{job="x"}`` or
    ``{__name__=~"a|b"}`` read metrics no name list can foresee)."""
    return all(any(m.name == METRIC_NAME and m.op is MatchOp.EQUAL for m in node.matchers)
               for node in walk(expr) if isinstance(node, ast.VectorSelector))


def window_needed_ms(expr: ast.Expr) -> int:
    """How far back before the evaluation time the expression reads, in milliseconds:
    the longest range plus its offset, or the 5-minute lookback plus the offset."""
    needed = 0
    ranged: set[int] = set()
    for node in walk(expr):
        if isinstance(node, ast.MatrixSelector):
            ranged.add(id(node.selector))
            needed = max(needed, node.range_ms + node.selector.offset_ms)
        elif isinstance(node, ast.VectorSelector) and id(node) not in ranged:
            needed = max(needed, LOOKBACK_MS + node.offset_ms)
    return needed
