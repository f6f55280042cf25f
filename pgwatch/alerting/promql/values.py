"""The values an expression evaluates to, and Prometheus' staleness marker."""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

from pgwatch.alerting.promql.formatting import go_quote

Labels = tuple[tuple[str, str], ...]  # sorted by name, ``__name__`` included when set

METRIC_NAME = "__name__"
_STALE_BITS = 0x7FF0000000000002
STALE_BYTES = struct.pack("=Q", _STALE_BITS)  # native order, as array('d') stores it
STALE_NAN: float = struct.unpack("=d", STALE_BYTES)[0]


def is_stale(value: float) -> bool:
    """True for Prometheus' staleness marker (one NaN bit pattern), not for other NaNs."""
    return value != value and struct.pack("=d", value) == STALE_BYTES  # noqa: PLR0124


def drop_name(labels: Labels) -> Labels:
    """The labels without ``__name__`` (what arithmetic and most functions return)."""
    if labels and labels[0][0] == METRIC_NAME:
        return labels[1:]
    return tuple(pair for pair in labels if pair[0] != METRIC_NAME)


def labels_text(labels: Labels) -> str:
    """Labels as Prometheus' ``labels.String()`` prints them: ``{a="b", c="d"}``."""
    return "{" + ", ".join(f"{k}={go_quote(v)}" for k, v in labels) + "}"


@dataclass(frozen=True, slots=True)
class Scalar:
    """A scalar result."""

    value: float


@dataclass(frozen=True, slots=True)
class String:
    """A string literal result."""

    value: str


@dataclass(frozen=True, slots=True)
class VectorSample:
    """One element of an instant vector."""

    labels: Labels
    value: float

    def __repr__(self) -> str:
        return f"{labels_text(self.labels)} {self.value!r}"


@dataclass(frozen=True, slots=True)
class Vector:
    """An instant vector: at most one sample per label set."""

    samples: tuple[VectorSample, ...]


@dataclass(frozen=True, slots=True)
class MatrixSeries:
    """One series of a range vector: its points oldest first, stale markers removed."""

    labels: Labels
    times_ms: tuple[int, ...]
    values: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Matrix:
    """A range vector (what a bare ``x[5m]`` evaluates to)."""

    series: tuple[MatrixSeries, ...]


Value = Scalar | String | Vector | Matrix


def same_value(a: float, b: float) -> bool:
    """Equality that treats every NaN as equal to every NaN (for tests and comparisons)."""
    return a == b or (math.isnan(a) and math.isnan(b))
