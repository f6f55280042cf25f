"""How the report writes numbers: sizes, durations, ratios and counts, the same everywhere."""

from __future__ import annotations

import math
from datetime import datetime

from pgwatch.report.model import Cell

_SIZES = ("B", "kB", "MB", "GB", "TB", "PB")
_DURATIONS = ((0.001, 1e6, "µs", 0), (1.0, 1e3, "ms", 2), (120.0, 1.0, "s", 1),
              (7200.0, 1 / 60, "min", 1), (172_800.0, 1 / 3600, "h", 1))


def size(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "–"
    step = 0
    while abs(value) >= 1024 and step < len(_SIZES) - 1:
        value /= 1024
        step += 1
    return f"{value:.0f} {_SIZES[step]}" if step == 0 else f"{value:.1f} {_SIZES[step]}"


def duration(seconds: float | None) -> str:
    if seconds is None or math.isnan(seconds):
        return "–"
    for limit, scale, unit, digits in _DURATIONS:
        if abs(seconds) < limit:
            return f"{seconds * scale:.{digits}f} {unit}"
    return f"{seconds / 86400:.1f} d"


def ratio(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value * 100:.1f} %"


def count(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value:,.0f}"


def instant(at: datetime | None) -> str:
    return "–" if at is None else at.strftime("%Y-%m-%d %H:%M UTC")


def num(value: float | None, text: str) -> Cell:
    """A numeric cell: ``text`` shown, the raw value in JSON."""
    clean = None if value is None or (isinstance(value, float) and math.isnan(value)) else value
    return Cell(text, None if clean is None else round(float(clean), 6), "num")


def size_cell(value: float | None) -> Cell:
    return num(value, size(value))


def duration_cell(seconds: float | None) -> Cell:
    return num(seconds, duration(seconds))


def ratio_cell(value: float | None) -> Cell:
    return num(value, ratio(value))


def count_cell(value: float | None) -> Cell:
    return num(value, count(value))


def text_cell(text: object, kind: str = "text") -> Cell:
    return Cell("" if text is None else str(text), None, kind)


def as_float(value: object) -> float | None:
    """A row value as a float, None when absent or not a number."""
    if value is None or isinstance(value, str):
        return None
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) else result
