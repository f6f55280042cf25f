"""Speed-ups between phases, category medians and the verdicts against the targets."""

from __future__ import annotations

from pgwatch.workload import report
from pgwatch.workload.results import BenchRun, PhaseResult, ScenarioResult


def _result(name: str, category: str, median_ms: float) -> ScenarioResult:
    return ScenarioResult.from_samples(name, category, [median_ms] * 9, errors=0, seconds=1.0)


def _run() -> BenchRun:
    before = PhaseResult("before", (
        _result("dashboard.a", "dashboard", 10.0), _result("dashboard.b", "dashboard", 4.0),
        _result("dashboard.c", "dashboard", 1.0), _result("leaderboard.a", "leaderboard", 8.0),
        _result("write.activity_insert", "write", 100.0)))
    middle = PhaseResult("writes-on-0002", (_result("write.activity_insert", "write", 5.0),))
    after = PhaseResult("after", (
        _result("dashboard.a", "dashboard", 1.0), _result("dashboard.b", "dashboard", 1.0),
        _result("dashboard.c", "dashboard", 1.0), _result("leaderboard.a", "leaderboard", 4.0),
        _result("write.activity_insert", "write", 3.0)))
    return BenchRun("2026-11-24T18:00:00+00:00", "18.1", 1.0, 10.0, 2, 20.0,
                    (before, middle, after), {"activities": 1_000_000}, 30.0)


def test_speedups_compare_first_and_last_phase() -> None:
    found = {s.name: s for s in report.speedups(_run())}
    assert found["dashboard.a"].p50_ratio == 10.0
    assert found["write.activity_insert"].p50_ratio == 100.0 / 3.0


def test_category_speedup_is_the_median_of_its_scenarios() -> None:
    medians = report.category_speedups(report.speedups(_run()))
    assert medians["dashboard"] == 4.0  # median of 10, 4 and 1
    assert medians["leaderboard"] == 2.0


def test_targets_table_says_met_and_missed() -> None:
    table = report.targets_table(report.speedups(_run()), naive_with_indexes_p50_ms=5.0)
    lines = table.splitlines()
    assert any(line.startswith("| dashboard | 4.00x | >= 3.3x | met") for line in lines)
    assert any(line.startswith("| leaderboard | 2.00x | >= 5.0x | MISSED") for line in lines)
    # 3 ms against 100 ms (naive, no index): met; against 5 ms (naive with indexes): missed.
    assert any("on 0001 | 3.0% | <= 40% | met" in line for line in lines)
    assert any("on 0001+0002 | 60.0% | <= 40% | MISSED" in line for line in lines)


def test_summary_shows_every_phase_and_the_load() -> None:
    text = report.summary(_run())
    assert "### phase: before" in text and "### phase: writes-on-0002" in text
    assert "data load: 20.0 s (1,000,000 activities)" in text
    assert "| dashboard.a | live | 10.0 | 1.000 | 10.00x |" in text
