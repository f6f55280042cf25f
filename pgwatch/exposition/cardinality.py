"""Bounded label cardinality: the objects worth a series of their own, and one for the rest.

Per-query and per-table labels have taken Prometheus servers down. Each bounded collector
keeps its top objects by a main measure plus a few by every other dimension (so a query
that is cheap per call but hammers the disk still shows), and folds the rest into one
``other`` object whose additive values are summed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pgwatch.collectors.base import FieldSpec, Kind

OTHER = "__other__"


@dataclass(frozen=True, slots=True)
class Bound:
    """How one collector's objects are capped."""

    identity: tuple[str, ...]   # the labels that name one object
    rank_by: tuple[str, ...]    # the main measure first, then the other dimensions
    top_n: int = 100
    per_dimension: int = 10
    # The main measure read from another collector's latest rows, e.g. tables ranked by
    # table_size.total_bytes: (collector, field). Objects it does not know rank last.
    rank_from: tuple[str, str] | None = None
    info_texts: tuple[str, ...] = ()  # text fields exposed, truncated, in one info metric


@dataclass(frozen=True, slots=True)
class Bounded:
    """The rows kept as they are, and the sums of the rest (None when nothing was folded)."""

    kept: tuple[Any, ...]
    rest: Mapping[str, float] | None
    folded: int


def bound_rows(rows: Sequence[Any], specs: Sequence[FieldSpec], bound: Bound,
               main_measure: Mapping[tuple[str, ...], float] | None = None) -> Bounded:
    """Keep the top objects of ``rows`` by ``bound``; sum the additive fields of the rest.

    ``main_measure`` (by identity) replaces the first ``rank_by`` field when given.
    """
    if len(rows) <= bound.top_n:
        return Bounded(tuple(rows), None, 0)
    measures = [_field_measure(name) for name in bound.rank_by]
    if main_measure is not None:
        measures.insert(0, lambda row: main_measure.get(identity_of(row, bound), -1.0))
    chosen: set[int] = set()
    for position, measure in enumerate(measures):
        limit = bound.top_n if position == 0 else bound.per_dimension
        ranked = sorted(range(len(rows)), key=lambda i: measure(rows[i]), reverse=True)
        chosen.update(i for i in ranked[:limit] if position == 0 or measure(rows[i]) > 0)
    kept = tuple(row for i, row in enumerate(rows) if i in chosen)
    others = [row for i, row in enumerate(rows) if i not in chosen]
    return Bounded(kept, _sum_additive(others, specs), len(others))


def identity_of(row: Any, bound: Bound) -> tuple[str, ...]:
    """The values of the labels that name ``row``'s object."""
    return tuple(str(getattr(row, name, "")) for name in bound.identity)


def is_additive(spec: FieldSpec) -> bool:
    """Counters and sizes add up across objects; means, ages and timestamps do not."""
    return spec.kind is Kind.COUNTER or (spec.kind is Kind.GAUGE and spec.name.endswith("_bytes"))


def _sum_additive(rows: Sequence[Any], specs: Sequence[FieldSpec]) -> dict[str, float]:
    return {spec.name: float(sum(_number(row, spec.name) for row in rows))
            for spec in specs if is_additive(spec)}


def _field_measure(name: str) -> Callable[[Any], float]:
    return lambda row: _number(row, name)


def _number(row: Any, name: str) -> float:
    value = getattr(row, name, None)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
