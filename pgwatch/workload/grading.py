"""A-F grades per scenario from its p95 latency, with thresholds per category.

The thresholds (docs/bench.md has the table) follow what a user of the Mile Quest app
perceives: a dashboard read or a permission check sits on the path of every page view, so
it must be fast; leaderboards, aggregations and search are rendered less often and may
cost more; a write includes its triggers. Errors override latency: a scenario whose calls
failed more than 1 % of the time gets F whatever its speed.
"""

from __future__ import annotations

from collections.abc import Mapping

GRADES = ("A", "B", "C", "D")
FAILING = "F"
MAX_ERROR_RATE = 0.01

# Upper p95 bounds in milliseconds for grades A, B, C, D; above the last one: F.
THRESHOLDS_MS: Mapping[str, tuple[float, float, float, float]] = {
    "dashboard": (5.0, 15.0, 50.0, 150.0),
    "permission": (2.0, 5.0, 20.0, 100.0),
    "lookup": (2.0, 5.0, 20.0, 100.0),
    "leaderboard": (10.0, 30.0, 100.0, 300.0),
    "aggregation": (10.0, 30.0, 100.0, 300.0),
    "search": (10.0, 30.0, 100.0, 300.0),
    "write": (5.0, 15.0, 50.0, 150.0),
}


def thresholds(category: str) -> tuple[float, float, float, float]:
    """The A-D bounds of a category; an unknown category is a programming error."""
    try:
        return THRESHOLDS_MS[category]
    except KeyError:
        raise ValueError(f"no grading thresholds for category {category!r}") from None


def grade(category: str, p95_ms: float, calls: int, errors: int) -> str:
    """The letter for a scenario's p95 latency and error count."""
    if calls + errors == 0 or errors > MAX_ERROR_RATE * (calls + errors):
        return FAILING
    for letter, bound in zip(GRADES, thresholds(category), strict=True):
        if p95_ms <= bound:
            return letter
    return FAILING
