"""A-F grades from p95 latency, per category, and the error-rate override."""

from __future__ import annotations

import pytest

from pgwatch.workload.grading import THRESHOLDS_MS, grade


@pytest.mark.parametrize(("category", "p95", "expected"), [
    ("dashboard", 4.9, "A"), ("dashboard", 5.0, "A"), ("dashboard", 5.1, "B"),
    ("dashboard", 49.0, "C"), ("dashboard", 150.0, "D"), ("dashboard", 151.0, "F"),
    ("leaderboard", 25.0, "B"), ("leaderboard", 299.0, "D"), ("leaderboard", 400.0, "F"),
    ("permission", 1.0, "A"), ("permission", 6.0, "C"), ("write", 16.0, "C"),
])
def test_grade_follows_the_documented_thresholds(category: str, p95: float,
                                                 expected: str) -> None:
    assert grade(category, p95, calls=1000, errors=0) == expected


def test_errors_above_one_percent_fail_whatever_the_speed() -> None:
    assert grade("dashboard", 0.1, calls=980, errors=20) == "F"
    assert grade("dashboard", 0.1, calls=995, errors=5) == "A"


def test_a_scenario_that_never_ran_fails() -> None:
    assert grade("write", float("nan"), calls=0, errors=0) == "F"


def test_thresholds_increase_within_every_category() -> None:
    for bounds in THRESHOLDS_MS.values():
        assert list(bounds) == sorted(bounds) and len(set(bounds)) == 4


def test_unknown_category_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="no grading thresholds"):
        grade("nonsense", 1.0, calls=1, errors=0)
