"""Value objects the history store hands out: points, series, roll-ups, events, latest rows."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pgwatch.collectors.base import Kind
from pgwatch.errors import PgwatchError

Labels = tuple[tuple[str, str], ...]


class StoreError(PgwatchError):
    """The history store cannot be opened, migrated, read or written; the message names it."""


class SeriesKind(enum.IntEnum):
    """How a stored series is interpreted; the integer is what the store keeps."""

    COUNTER = 1  # raw counter: rates and increases are computed with reset detection
    GAUGE = 2    # a value at an instant
    RESET = 3    # a stats_reset / stats_since marker: a change means the object's counters reset

    @classmethod
    def of(cls, kind: Kind) -> SeriesKind:
        """The stored kind of a declared row field kind (COUNTER or GAUGE)."""
        return cls.COUNTER if kind is Kind.COUNTER else cls.GAUGE


@dataclass(frozen=True, slots=True)
class Point:
    """One value at ``ts`` (integer seconds since the epoch, UTC)."""

    ts: int
    value: float

    @property
    def at(self) -> datetime:
        return datetime.fromtimestamp(self.ts, UTC)


@dataclass(frozen=True, slots=True)
class Series:
    """The points of one metric of one object, oldest first.

    ``resets`` are instants where a stats-reset marker of the object changed; ``breaks`` are
    instants where the object vanished from its view (a query id evicted, a table dropped).
    No delta is ever computed across a break.
    """

    metric: str
    target: str
    labels: Labels
    kind: SeriesKind
    points: tuple[Point, ...]
    resets: tuple[int, ...] = ()
    breaks: tuple[int, ...] = ()

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)

    def last(self) -> Point | None:
        return self.points[-1] if self.points else None


@dataclass(frozen=True, slots=True)
class Rollup:
    """One hour of one series: ``hour`` is the hour's first second; ``increase`` for counters."""

    hour: int
    count: int
    min: float
    max: float
    avg: float
    last: float
    increase: float | None


@dataclass(frozen=True, slots=True)
class RollupSeries:
    """The hourly roll-ups of one metric of one object, oldest first."""

    metric: str
    target: str
    labels: Labels
    kind: SeriesKind
    hours: tuple[Rollup, ...]


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to a target: a setting changed, a refresh failed."""

    target: str
    kind: str
    subject: str
    detail: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Latest:
    """The per-object rows of the newest snapshot of one collector on one target."""

    target: str
    collector: str
    taken_at: datetime
    rows: tuple[Mapping[str, Any], ...]

    def by_key(self, *label_names: str) -> dict[tuple[Any, ...], Mapping[str, Any]]:
        """The rows keyed by the values of ``label_names`` (the object's identity)."""
        return {tuple(row.get(name) for name in label_names): row for row in self.rows}


def epoch(at: datetime) -> int:
    """Whole seconds since the epoch; a naive datetime is taken as UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return int(at.timestamp())


def matches(target: str, labels: Labels, wanted: Mapping[str, str]) -> bool:
    """True when every wanted label (``target`` included) has exactly the wanted value."""
    have = dict(labels)
    for name, value in wanted.items():
        actual = target if name == "target" else have.get(name)
        if actual != value:
            return False
    return True
