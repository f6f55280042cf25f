"""Bounded label cardinality: the objects worth a series of their own, and one for the rest.

Per-query and per-table labels have taken Prometheus servers down. Each bounded collector
keeps its top objects by a main measure plus a few by every other dimension (so a query
that is cheap per call but hammers the disk still shows), and folds the rest into one
``other`` object whose additive values are summed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


@dataclass(frozen=True, slots=True)
class Bounded:
    """The rows kept as they are, and the sums of the rest (None when nothing was folded)."""

    kept: tuple[Any, ...]
    rest: Mapping[str, float] | None
    folded: int


def bound_rows(rows: Sequence[Any], specs: Sequence[FieldSpec], bound: Bound) -> Bounded:
    """Keep the top objects of ``rows`` by ``bound``; sum the additive fields of the rest."""
    if len(rows) <= bound.top_n:
        return Bounded(tuple(rows), None, 0)
    chosen: set[int] = set()
    for position, measure in enumerate(bound.rank_by):
        limit = bound.top_n if position == 0 else bound.per_dimension
        ranked = sorted(range(len(rows)), key=lambda i: _number(rows[i], measure), reverse=True)
        chosen.update(i for i in ranked[:limit] if position == 0 or _number(rows[i], measure) > 0)
    kept = tuple(row for i, row in enumerate(rows) if i in chosen)
    others = [row for i, row in enumerate(rows) if i not in chosen]
    return Bounded(kept, _sum_additive(others, specs), len(others))


def is_additive(spec: FieldSpec) -> bool:
    """Counters and sizes add up across objects; means, ages and timestamps do not."""
    return spec.kind is Kind.COUNTER or (spec.kind is Kind.GAUGE and spec.name.endswith("_bytes"))


def _sum_additive(rows: Sequence[Any], specs: Sequence[FieldSpec]) -> dict[str, float]:
    return {spec.name: float(sum(_number(row, spec.name) for row in rows))
            for spec in specs if is_additive(spec)}


def _number(row: Any, name: str) -> float:
    value = getattr(row, name, None)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
