"""The --compare-advice arithmetic: per-scenario speed-ups, medians, the 80 % goal, the report."""

from __future__ import annotations

from pgwatch.workload.advice_compare import (
    AdviceComparison,
    comparison_rows,
    medians,
    met,
    report,
)
from pgwatch.workload.results import BenchRun, PhaseResult, ScenarioResult


def _phase(name: str, p50s: dict[str, float]) -> PhaseResult:
    return PhaseResult(name, tuple(
        ScenarioResult.from_samples(scenario, scenario.split(".")[0], [ms] * 5, errors=0,
                                    seconds=1.0) for scenario, ms in p50s.items()))


def _comparison(advice: dict[str, float], applied: int = 3) -> AdviceComparison:
    before = {"dashboard.a": 100.0, "dashboard.b": 10.0, "leaderboard.c": 50.0,
              "write.d": 5.0}
    tuned = {"dashboard.a": 1.0, "dashboard.b": 1.0, "leaderboard.c": 5.0, "write.d": 1.0}
    run = BenchRun("now", "18", 1.0, 1.0, 2, None,
                   (_phase("before", before), _phase("advice", advice), _phase("0002", tuned)))
    return AdviceComparison(run, tuple(f"CREATE INDEX x{i}" for i in range(applied)), False,
                            1.0, 18)


def test_speedups_and_medians() -> None:
    comparison = _comparison({"dashboard.a": 2.0, "dashboard.b": 1.0, "leaderboard.c": 5.0,
                              "write.d": 5.0})
    rows = {r.name: r for r in comparison_rows(comparison)}
    assert rows["dashboard.a"].advice_ratio == 50.0 and rows["dashboard.a"].tuned_ratio == 100.0
    found = medians(comparison_rows(comparison))
    assert found["dashboard"] == (30.0, 55.0)
    assert found["leaderboard"] == (10.0, 10.0)
    assert found["dashboard+leaderboard"] == (10.0, 10.0)  # writes are not counted
    assert met(comparison)


def test_the_goal_is_missed_below_80_percent_or_with_more_indexes() -> None:
    slow = _comparison({"dashboard.a": 100.0, "dashboard.b": 10.0, "leaderboard.c": 50.0,
                        "write.d": 5.0})
    assert not met(slow)
    assert "**missed**" in report(slow)
    assert not met(_comparison({"dashboard.a": 1.0, "dashboard.b": 1.0, "leaderboard.c": 5.0,
                                "write.d": 1.0}, applied=19))


def test_report_lists_the_counted_scenarios_and_the_indexes() -> None:
    text = report(_comparison({"dashboard.a": 1.0, "dashboard.b": 1.0, "leaderboard.c": 5.0,
                               "write.d": 1.0}))
    assert "| dashboard.a | dashboard | 100.0 | 1.000 | 1.000 | 100.00x | 100.00x |" in text
    assert "write.d" not in text
    assert "    CREATE INDEX x2;" in text and "**met**" in text
