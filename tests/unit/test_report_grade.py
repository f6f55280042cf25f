"""The grade's rubric: each criterion's penalty, its cap, and the letter bands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pgwatch.report.grade import grade
from pgwatch.report.sections.capacity import forecast

CLEAN = {"dead_tables": 0.0, "wraparound_ratio": 0.1, "invalid_indexes": 0.0,
         "needless_indexes": 0.0, "alerts_fired": 0.0, "regressions": 0.0,
         "failed_refreshes": 0.0, "cache_hit_ratio": 0.999, "connection_usage": 0.1}


@pytest.mark.parametrize(("changes", "score", "letter"), [
    ({}, 100, "A"),
    ({"cache_hit_ratio": 0.98}, 90, "A"),
    ({"cache_hit_ratio": 0.90}, 80, "B"),
    ({"dead_tables": 9.0}, 85, "B"),  # capped at 15
    ({"wraparound_ratio": 0.95}, 75, "C"),
    ({"invalid_indexes": 1.0, "needless_indexes": 20.0}, 80, "B"),
    ({"alerts_fired": 2.0, "regressions": 1.0}, 85, "B"),
    ({"connection_usage": 0.85, "failed_refreshes": 1.0}, 85, "B"),
    ({"cache_hit_ratio": 0.5, "wraparound_ratio": 0.95, "invalid_indexes": 5.0}, 35, "F"),
    ({"alerts_fired": 4.0, "regressions": 3.0, "dead_tables": 3.0}, 50, "F"),
    ({"alerts_fired": 4.0, "dead_tables": 3.0}, 65, "D"),
])
def test_penalties_and_bands(changes: dict[str, float], score: int, letter: str) -> None:
    result = grade({**CLEAN, **changes})
    assert (result.score, result.letter) == (score, letter)
    assert sum(line.penalty for line in result.lines) == 100 - score


def test_unmeasured_figures_cost_nothing_and_say_so() -> None:
    figures = {k: v for k, v in CLEAN.items() if k not in ("cache_hit_ratio",
                                                           "connection_usage")}
    result = grade(figures)
    assert result.score == 100
    assert [line.measured for line in result.lines if line.criterion.startswith(
        ("cache", "connection"))] == ["not measured", "not measured"]


def test_linear_forecast_of_growth() -> None:
    start = datetime(2026, 12, 1, tzinfo=UTC)
    points = [(start + timedelta(days=d), 1e9 + d * 1e8) for d in range(5)]
    slope, reach = forecast(points, 2e9)
    assert slope == pytest.approx(1e8 / 86400)
    assert reach == start + timedelta(days=10)
    assert forecast(points[:1], 2e9) == (None, None)
    flat = [(start + timedelta(days=d), 5e8) for d in range(3)]
    assert forecast(flat, 2e9)[1] is None
