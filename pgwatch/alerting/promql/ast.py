"""pgwatch's own typed, frozen syntax tree of the supported PromQL subset.

Built by ``parse`` (the one adapter over promql-parser); the evaluator reads only these nodes.
Durations are integer milliseconds.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pgwatch.alerting.promql.matchers import Matcher


class ValueType(enum.StrEnum):
    """What an expression evaluates to."""

    SCALAR = "scalar"
    VECTOR = "vector"
    MATRIX = "matrix"
    STRING = "string"


class Card(enum.StrEnum):
    """Vector matching cardinality."""

    ONE_TO_ONE = "one-to-one"
    MANY_TO_ONE = "many-to-one"  # group_left
    ONE_TO_MANY = "one-to-many"  # group_right
    MANY_TO_MANY = "many-to-many"  # and, or, unless


ARITHMETIC = frozenset({"+", "-", "*", "/", "%", "^"})
COMPARISON = frozenset({"==", "!=", ">", "<", ">=", "<="})
SET_OPS = frozenset({"and", "or", "unless"})
AGGREGATIONS = frozenset({"sum", "avg", "min", "max", "count", "topk", "bottomk"})


@dataclass(frozen=True, slots=True)
class NumberLiteral:
    """A number, e.g. ``0.8`` or ``Inf``."""

    value: float


@dataclass(frozen=True, slots=True)
class StringLiteral:
    """A string, e.g. ``"x"``."""

    value: str


@dataclass(frozen=True, slots=True)
class VectorSelector:
    """``name{matchers} offset d``; ``matchers`` include the ``__name__`` matcher."""

    name: str | None
    matchers: tuple[Matcher, ...]
    offset_ms: int = 0


@dataclass(frozen=True, slots=True)
class MatrixSelector:
    """``selector[range]``."""

    selector: VectorSelector
    range_ms: int


@dataclass(frozen=True, slots=True)
class Paren:
    """``(expr)``, kept so that the tree prints back as written."""

    expr: Expr


@dataclass(frozen=True, slots=True)
class UnaryMinus:
    """``-expr``."""

    expr: Expr


@dataclass(frozen=True, slots=True)
class VectorMatching:
    """``on``/``ignoring`` labels and ``group_left``/``group_right`` extra labels."""

    card: Card
    on: bool
    labels: tuple[str, ...]
    include: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Binary:
    """``lhs op rhs``; ``matching`` is set when both sides are vectors."""

    op: str
    lhs: Expr
    rhs: Expr
    return_bool: bool = False
    matching: VectorMatching | None = None


@dataclass(frozen=True, slots=True)
class Aggregate:
    """``op by|without (grouping) (param, expr)``; ``grouping`` sorted."""

    op: str
    expr: Expr
    param: Expr | None
    grouping: tuple[str, ...]
    without: bool


@dataclass(frozen=True, slots=True)
class Call:
    """A supported function applied to its arguments."""

    func: str
    args: tuple[Expr, ...]


Expr = (NumberLiteral | StringLiteral | VectorSelector | MatrixSelector | Paren | UnaryMinus
        | Binary | Aggregate | Call)

SCALAR_FUNCTIONS = frozenset({"time", "scalar"})


def value_type(expr: Expr) -> ValueType:  # noqa: PLR0911
    """The type an expression evaluates to (as Prometheus' parser types it)."""
    match expr:
        case NumberLiteral():
            return ValueType.SCALAR
        case StringLiteral():
            return ValueType.STRING
        case VectorSelector() | Aggregate():
            return ValueType.VECTOR
        case MatrixSelector():
            return ValueType.MATRIX
        case Paren(inner) | UnaryMinus(inner):
            return value_type(inner)
        case Binary(lhs=lhs, rhs=rhs):
            scalar = ValueType.SCALAR
            both_scalar = value_type(lhs) is scalar and value_type(rhs) is scalar
            return ValueType.SCALAR if both_scalar else ValueType.VECTOR
        case Call(func=func):
            return ValueType.SCALAR if func in SCALAR_FUNCTIONS else ValueType.VECTOR


def unwrap(expr: Expr) -> Expr:
    """The expression inside any parentheses."""
    while isinstance(expr, Paren):
        expr = expr.expr
    return expr
