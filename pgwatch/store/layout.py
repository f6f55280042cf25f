"""How the store reads a row type: which fields identify the object, which are numbers."""

from __future__ import annotations

import dataclasses
import math
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any

from pgwatch.collectors.base import Kind, fields_of, identity
from pgwatch.collectors.naming import metric_name, object_labels
from pgwatch.store.model import Labels, SeriesKind
from pgwatch.store.policy import StorePolicy

NAN = math.nan


@dataclass(frozen=True, slots=True)
class ValueField:
    """A numeric field of a row and the metric it is stored under."""

    name: str
    metric: str
    kind: SeriesKind


@dataclass(frozen=True, slots=True)
class RowLayout:
    """The store's reading of one row dataclass for one collector."""

    collector: str
    label_fields: tuple[str, ...]
    values: tuple[ValueField, ...]
    text_fields: frozenset[str]
    all_fields: tuple[str, ...]
    read_labels: Callable[[Any], tuple[Any, ...]]
    read_values: Callable[[Any], tuple[Any, ...]]

    @property
    def tracked(self) -> int:
        """How many leading ``values`` (counters and reset markers) a delta needs from the
        previous snapshot; gauges come after them and are never remembered."""
        return sum(1 for v in self.values if v.kind is not SeriesKind.GAUGE)

    @property
    def counters(self) -> tuple[int, ...]:
        """Positions in ``values`` of the counters."""
        return tuple(i for i, v in enumerate(self.values) if v.kind is SeriesKind.COUNTER)

    @property
    def gauges(self) -> tuple[int, ...]:
        return tuple(i for i, v in enumerate(self.values) if v.kind is SeriesKind.GAUGE)

    def key(self, row: Any) -> Labels:
        """The object's labels, as ``pgwatch.collectors.naming`` names them for every series."""
        return object_labels(self.label_fields, self.read_labels(row))

    def ident(self, row: Any) -> str:
        """The object's identity as one compact string: what the planner keys its memory by.

        One string per object instead of a tuple of (name, value) pairs: at 60,000 objects
        the difference is tens of megabytes.
        """
        return identity(self.read_labels(row))

    def numbers(self, row: Any) -> array[float]:
        """The row's numeric values in ``values`` order; NaN where a value is missing."""
        raw = self.read_values(row)
        try:
            return array("d", raw)  # plain ints and floats: converted in one C call
        except TypeError:
            return array("d", map(number, raw))


def layout_of(row_type: type[Any], collector: str, policy: StorePolicy,
              prefix: str = "pgwatch") -> RowLayout:
    """Classify the declared fields; stats-reset fields become markers, never labels."""
    labels: list[str] = []
    values: list[ValueField] = []
    texts: set[str] = set()
    for spec in fields_of(row_type):
        metric = metric_name(collector, spec.name, prefix)
        if policy.is_reset_field(spec.name):
            values.append(ValueField(spec.name, metric, SeriesKind.RESET))
        elif spec.kind is Kind.LABEL:
            labels.append(spec.name)
        elif spec.kind in (Kind.COUNTER, Kind.GAUGE):
            values.append(ValueField(spec.name, metric, SeriesKind.of(spec.kind)))
        else:
            texts.add(spec.name)
    # Counters and markers first: the planner remembers that prefix of each row's numbers.
    values.sort(key=lambda v: v.kind is SeriesKind.GAUGE)
    names = tuple(f.name for f in dataclasses.fields(row_type))
    return RowLayout(collector, tuple(labels), tuple(values), frozenset(texts), names,
                     _reader(labels), _reader([v.name for v in values]))


def _reader(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """Reads the named attributes as a tuple in one C-level call (attrgetter)."""
    if len(names) >= 2:
        return attrgetter(*names)
    if len(names) == 1:
        only = attrgetter(names[0])
        return lambda row: (only(row),)
    return lambda _row: ()


def number(value: object) -> float:
    """A stored number: timestamps become epoch seconds; anything unusable is NaN."""
    if type(value) is int or type(value) is float:  # the common case, first and fast
        return float(value)
    match value:
        case bool():
            result = 1.0 if value else 0.0
        case int() | float() | Decimal():
            result = float(value)
        case datetime():
            result = (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
        case date():
            result = datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp()
        case str():
            result = _parse_instant(value)
        case _:
            result = NAN
    return result


def _parse_instant(text: str) -> float:
    try:
        return number(datetime.fromisoformat(text))
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return NAN
