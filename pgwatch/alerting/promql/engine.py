"""Instant evaluation of pgwatch's PromQL AST over a ``Storage``, as Prometheus 2.42 does it.

Range selectors in Prometheus 2.42 include the left edge: ``x[5m]`` at ``t`` reads the points
with ``t - 5m <= ts <= t``. Prometheus 3 excludes it (``t - 5m < ts <= t``), so a point exactly
at the left edge counts in 2.42 and not in 3; pgwatch implements 2.42, the version its tests
run against. Instant selectors read the newest point in ``[t - 5m, t]`` (the lookback, closed
on the left in 2.42 too, left-open in 3); a series whose newest point there is a stale marker
is absent.

Series are read in the order the storage yields them (``SeriesWindow``: the order in which
series first arrived, as Prometheus reads its series in the order their references were
created). Where a result depends on that order (which of several equal values ``topk`` keeps
at the k-th place, which duplicate an error names), two systems agree only when they read the
series in the same order; promtool, for one, loads its test series in random order.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence

from pgwatch.alerting.promql import aggregate, ast, binops, functions
from pgwatch.alerting.promql.errors import PromQLError
from pgwatch.alerting.promql.evaluating import (
    Internal,
    RangeSeries,
    RangeValue,
    Samples,
    check_unique,
)
from pgwatch.alerting.promql.storage import Storage, StoredSeries
from pgwatch.alerting.promql.values import (
    STALE_BYTES,
    Labels,
    Matrix,
    MatrixSeries,
    Scalar,
    String,
    Value,
    Vector,
    VectorSample,
    drop_name,
    is_stale,
)

LOOKBACK_MS = 5 * 60 * 1000


class Evaluator:
    """Evaluates one expression tree at one instant."""

    def __init__(self, storage: Storage, at_ms: int) -> None:
        self.storage = storage
        self.at_ms = at_ms
        # A selector written twice in one expression is read once.
        self._reads: dict[tuple[ast.VectorSelector, int, int], list[StoredSeries]] = {}

    def eval(self, expr: ast.Expr) -> Internal:  # noqa: PLR0911
        """The node's value: float (scalar), str, samples (vector) or range series."""
        match expr:
            case ast.NumberLiteral(value):
                return value
            case ast.StringLiteral(value):
                return value
            case ast.VectorSelector():
                return self.instant(expr)
            case ast.MatrixSelector():
                return self.range(expr)
            case ast.Paren(inner):
                return self.eval(inner)
            case ast.UnaryMinus(inner):
                return self._negate(self.eval(inner))
            case ast.Binary():
                return binops.evaluate_binary(self, expr)
            case ast.Aggregate():
                return aggregate.evaluate_aggregate(self, expr)
            case ast.Call():
                return functions.evaluate_call(self, expr)
        raise PromQLError(f"cannot evaluate {expr!r}", construct="evaluation")

    def scalar(self, expr: ast.Expr) -> float:
        """Evaluate an expression of scalar type."""
        value = self.eval(expr)
        if not isinstance(value, float):
            raise PromQLError("expected a scalar", construct="evaluation")
        return value

    def vector(self, expr: ast.Expr) -> Samples:
        """Evaluate an expression of instant-vector type."""
        value = self.eval(expr)
        if not isinstance(value, list):
            raise PromQLError("expected an instant vector", construct="evaluation")
        return value

    def instant(self, node: ast.VectorSelector) -> Samples:
        """The newest non-stale point of each series within the lookback before ``at``."""
        end = self.at_ms - node.offset_ms
        latest = getattr(self.storage, "latest", None)
        if latest is not None:  # SeriesWindow's shortcut: the newest points only
            points: Iterable[tuple[Labels, float]] = latest(node.matchers, end - LOOKBACK_MS, end)
        else:
            points = ((s.labels, s.values[-1]) for s in self._read(node, end - LOOKBACK_MS, end))
        return [(labels, value) for labels, value in points
                if value == value or not is_stale(value)]  # noqa: PLR0124

    def range(self, node: ast.MatrixSelector) -> RangeValue:
        """Each series' non-stale points in ``[at - offset - range, at - offset]``."""
        end = self.at_ms - node.selector.offset_ms
        out: list[RangeSeries] = []
        for read in self._read(node.selector, end - node.range_ms, end):
            series = _without_stale(read) if _may_hold_stale(read.values) else read
            if series.times_ms:
                out.append(series)
        return RangeValue(out)

    def _read(self, node: ast.VectorSelector, start: int, end: int) -> list[StoredSeries]:
        key = (node, start, end)
        found = self._reads.get(key)
        if found is None:
            found = [s for s in self.storage.select(node.matchers, start, end) if s.times_ms]
            self._reads[key] = found
        return found

    def _negate(self, value: Internal) -> Internal:
        if isinstance(value, float):
            return -value
        if isinstance(value, list):
            samples: Samples = [(drop_name(labels), -v) for labels, v in value]
            check_unique(samples)
            return samples
        raise PromQLError("unary minus needs a number or an instant vector",
                          construct="evaluation")


def _may_hold_stale(values: Sequence[float]) -> bool:
    # A byte search over a float64 array is far cheaper than testing each value; a match
    # across two values only costs the exact filter below.
    if isinstance(values, array) and values.typecode == "d":
        return STALE_BYTES in values.tobytes()
    return any(is_stale(v) for v in values)


def _without_stale(series: StoredSeries) -> StoredSeries:
    kept = [i for i, v in enumerate(series.values) if not is_stale(v)]
    return StoredSeries(series.labels, [series.times_ms[i] for i in kept],
                        [series.values[i] for i in kept])


def evaluate(expr: ast.Expr, storage: Storage, at_ms: int) -> Value:
    """Evaluate ``expr`` at ``at_ms`` (milliseconds since the epoch), as an instant query."""
    try:
        result = Evaluator(storage, at_ms).eval(expr)
    except RecursionError:
        raise PromQLError("the expression is nested too deeply to evaluate",
                          construct="evaluation") from None
    if isinstance(result, float):
        return Scalar(result)
    if isinstance(result, str):
        return String(result)
    if isinstance(result, RangeValue):
        return Matrix(tuple(MatrixSeries(s.labels, tuple(s.times_ms), tuple(s.values))
                            for s in result.series))
    return Vector(tuple(VectorSample(labels, value) for labels, value in result))
