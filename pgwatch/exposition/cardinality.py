"""Bounded label cardinality: the objects worth a series of their own, and one for the rest.

Per-query and per-table labels have taken Prometheus servers down. Each bounded collector
keeps its top objects by a main measure plus a few by every other dimension (so a query
that is cheap per call but hammers the disk still shows), and folds the rest into one
``other`` object whose additive values are summed.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from pgwatch.collectors.base import FieldSpec, Kind, identity

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
               main_measure: Mapping[str, float] | None = None) -> Bounded:
    """Keep the top objects of ``rows`` by ``bound``; sum the additive fields of the rest.

    ``main_measure`` (by identity) replaces the first ``rank_by`` field when given.
    """
    if len(rows) <= bound.top_n:
        return Bounded(tuple(rows), None, 0)
    columns = [_column(rows, name) for name in bound.rank_by]
    if main_measure is not None:
        columns.insert(0, [main_measure.get(identity_of(row, bound), -1.0) for row in rows])
    chosen: set[int] = set()
    for position, column in enumerate(columns):
        limit = bound.top_n if position == 0 else bound.per_dimension
        top = heapq.nlargest(limit, range(len(rows)), key=column.__getitem__)
        chosen.update(i for i in top if position == 0 or column[i] > 0)
    kept = tuple(rows[i] for i in sorted(chosen))
    # Sums streamed field by field: a list per additive field of 10,000 tables is ~10 MB.
    rest = {spec.name: _total(rows, spec.name) - _total(kept, spec.name)
            for spec in specs if is_additive(spec)}
    return Bounded(kept, rest, len(rows) - len(chosen))


def identity_of(row: Any, bound: Bound) -> str:
    """The values of the labels that name ``row``'s object, as one string."""
    return identity(getattr(row, name, "") for name in bound.identity)


def is_additive(spec: FieldSpec) -> bool:
    """Counters and sizes add up across objects; means, ages and timestamps do not."""
    return spec.kind is Kind.COUNTER or (spec.kind is Kind.GAUGE and spec.name.endswith("_bytes"))


def _total(rows: Sequence[Any], name: str) -> float:
    """The sum of one field over ``rows``, counted as ``_column`` counts it."""
    return sum(float(v) for v in map(attrgetter(name), rows) if isinstance(v, int | float))


def _column(rows: Sequence[Any], name: str) -> list[float]:
    """One field of every row as numbers (flags count as 1, missing values as 0)."""
    return [float(v) if isinstance(v, int | float) else 0.0 for v in map(attrgetter(name), rows)]
