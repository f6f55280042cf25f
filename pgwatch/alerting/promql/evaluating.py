"""What an evaluation step hands on: the internal values, and the evaluator as the operators
(aggregations, binary operators, functions) see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pgwatch.alerting.promql import ast
from pgwatch.alerting.promql.errors import PromQLError
from pgwatch.alerting.promql.storage import StoredSeries
from pgwatch.alerting.promql.values import Labels

Sample = tuple[Labels, float]
Samples = list[Sample]
RangeSeries = StoredSeries  # what a range selector yields per series: non-stale points


@dataclass(frozen=True, slots=True)
class RangeValue:
    """What a range selector evaluates to."""

    series: list[RangeSeries]


Internal = float | str | Samples | RangeValue


class Evaluating(Protocol):
    """The evaluator of one expression tree at one instant, as an operator calls it back."""

    @property
    def at_ms(self) -> int: ...

    def eval(self, expr: ast.Expr) -> Internal: ...

    def scalar(self, expr: ast.Expr) -> float: ...

    def vector(self, expr: ast.Expr) -> Samples: ...

    def range(self, node: ast.MatrixSelector) -> RangeValue: ...


def check_unique(samples: Samples) -> None:
    """Prometheus' check after every operation: no two samples with one label set."""
    if len({labels for labels, _ in samples}) != len(samples):
        raise PromQLError("vector cannot contain metrics with the same labelset",
                          construct="evaluation")
