"""The collector contract: typed rows whose fields declare what they are.

A collector reads one statistics view (or a few that belong together) and returns a
``Snapshot`` of frozen rows. Each row field is declared with ``label()``, ``counter()``,
``gauge()`` or ``text()``; everything downstream (store, exposition, alerts, report) reads
those declarations and never knows a collector by name.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

import psycopg

from pgwatch.collectors import naming
from pgwatch.collectors.naming import PREFIX, metric_name, object_labels
from pgwatch.db.probe import ServerInfo
from pgwatch.errors import PgwatchError


class Kind(enum.StrEnum):
    """What a row field is, for storage and exposition."""

    LABEL = "label"      # identifies the object (datname, relname, queryid)
    COUNTER = "counter"  # monotonically increasing since the last stats reset
    GAUGE = "gauge"      # a value at this instant
    TEXT = "text"        # descriptive, not a number (query text, setting value)


def _declare(kind: Kind, help_: str, unit: str, default: Any) -> Any:
    metadata = {"kind": kind, "help": help_, "unit": unit}
    if default is dataclasses.MISSING:
        return field(metadata=metadata)
    return field(default=default, metadata=metadata)


def label(help_: str = "", default: Any = dataclasses.MISSING) -> Any:
    return _declare(Kind.LABEL, help_, "", default)


def counter(help_: str, unit: str = "", default: Any = dataclasses.MISSING) -> Any:
    """A counter; its field name ends in ``_total`` and carries the base unit."""
    return _declare(Kind.COUNTER, help_, unit, default)


def gauge(help_: str, unit: str = "", default: Any = dataclasses.MISSING) -> Any:
    return _declare(Kind.GAUGE, help_, unit, default)


def text(help_: str = "", default: Any = dataclasses.MISSING) -> Any:
    return _declare(Kind.TEXT, help_, "", default)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One declared field of a row class."""

    name: str
    kind: Kind
    help: str
    unit: str


def fields_of(row_type: type[Any]) -> tuple[FieldSpec, ...]:
    """The declared fields of a row dataclass, in declaration order."""
    return tuple(FieldSpec(f.name, f.metadata.get("kind", Kind.TEXT), f.metadata.get("help", ""),
                           f.metadata.get("unit", ""))
                 for f in dataclasses.fields(row_type))


class Row(Protocol):
    """Any frozen dataclass whose fields are declared with the helpers above."""

    __dataclass_fields__: ClassVar[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Sample:
    """One number of one object: what the store keeps and the exposition renders."""

    metric: str
    labels: tuple[tuple[str, str], ...]
    value: float
    kind: Kind


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The rows one collector read from one target at one instant."""

    target: str
    collector: str
    taken_at: datetime
    duration_s: float
    rows: tuple[Any, ...]
    row_type: type[Any]

    def samples(self, prefix: str = PREFIX) -> Iterator[Sample]:
        """Flatten rows into samples named and labelled by ``pgwatch.collectors.naming``
        (the object's labels; the target and its configured labels are the caller's)."""
        specs = fields_of(self.row_type)
        label_names = [s.name for s in specs if s.kind is Kind.LABEL]
        numeric = [s for s in specs if s.kind in (Kind.COUNTER, Kind.GAUGE)]
        for row in self.rows:
            labels = object_labels(label_names, (getattr(row, name) for name in label_names))
            for spec in numeric:
                value = getattr(row, spec.name)
                if value is None:
                    continue
                yield Sample(metric_name(self.collector, spec.name, prefix), labels,
                             float(value), spec.kind)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A collector that cannot run on a target, and why (shown by doctor and the metrics)."""

    collector: str
    reason: str


@dataclass(frozen=True, slots=True)
class BouncerInfo:
    """A PgBouncer admin console: it speaks the protocol but has no catalogs to probe."""

    version: str


TargetInfo = ServerInfo | BouncerInfo


class MissingCapabilityError(PgwatchError):
    """Raised by ``collect`` when the target lacks what only a query can tell (a table, a view).

    The cycle runner turns it into a ``Skipped``, never into an error.
    """


class Collector(Protocol):
    """One module per statistics view implements this."""

    name: ClassVar[str]
    default_interval_s: ClassVar[float]
    row_type: ClassVar[type[Any]]

    def missing(self, server: TargetInfo) -> str | None:
        """Why this collector cannot run on ``server``, or None when it can."""

    def collect(self, conn: psycopg.Connection[Any], server: TargetInfo) -> Sequence[Any]:
        """Read the rows; raise on failure (the job's error boundary catches it)."""


label_value = naming.label_value  # where collectors, store and exposition have imported it from

# The ASCII unit separator. Two objects whose names differ only in where a unit separator
# sits would share an identity; such names do not occur in practice, and the cost would be
# one wrong delta or ranking, never a wrong exposed or stored label.
IDENTITY_SEPARATOR = "\x1f"


def identity(values: Iterable[object]) -> str:
    """The label values that name one object, as one string: a compact dictionary key."""
    return IDENTITY_SEPARATOR.join(map(label_value, values))


def as_mapping(row: Any) -> Mapping[str, Any]:
    """A row as a plain dict, for JSON output."""
    return {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
