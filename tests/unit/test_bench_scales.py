"""``pgwatch bench compare-scales``: p95 ratios, what is counted, verdicts, bad files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from pgwatch.workload import baseline, report, scales
from pgwatch.workload.results import BenchRun, PhaseResult, ScenarioResult
from tests.cli import run_cli

DATA = Path(__file__).parent.parent / "data" / "bench"


def _result(name: str, category: str, p95_ms: float, form: str = "live") -> ScenarioResult:
    # 19 fast calls and one slow: p50 1 ms; p95 interpolates 5 % of the way to the slow one.
    samples = [1.0] * 19 + [1.0 + (p95_ms - 1.0) / 0.05]
    return ScenarioResult.from_samples(name, category, samples, errors=0, seconds=1.0,
                                       form=form)


def _run(scale: float, *rows: ScenarioResult) -> BenchRun:
    first = PhaseResult("before", (_result("dashboard.a", "dashboard", 900.0),))
    return BenchRun("2026-11-24T20:00:00+00:00", "18.6", scale, 10.0, 2, 1.0,
                    (first, PhaseResult("after", rows)))


def _pair() -> tuple[BenchRun, BenchRun]:
    small = _run(1.0, _result("dashboard.a", "dashboard", 2.0),
                 _result("dashboard.b", "dashboard", 2.0),
                 _result("leaderboard.w", "leaderboard", 4.0, "tuned"),
                 _result("leaderboard.w:live", "leaderboard", 100.0),
                 _result("leaderboard.m", "leaderboard", 3.0),
                 _result("write.x", "write", 1.0))
    large = _run(10.0, _result("dashboard.a", "dashboard", 3.9),
                 _result("dashboard.b", "dashboard", 1.0),
                 _result("leaderboard.w", "leaderboard", 4.4, "tuned"),
                 _result("leaderboard.w:live", "leaderboard", 1000.0),
                 _result("leaderboard.m", "leaderboard", 30.0, "tuned"),
                 _result("write.x", "write", 50.0))
    return small, large


def test_p95_ratio_and_within_two_times_use_the_last_phase() -> None:
    rows = {r.name: r for r in scales.compare(*_pair())}
    assert set(rows) == {"dashboard.a", "dashboard.b", "leaderboard.w", "leaderboard.w:live",
                         "leaderboard.m"}  # writes are not compared
    assert math.isclose(rows["dashboard.a"].p95_ratio, 1.95) and rows["dashboard.a"].within
    assert math.isclose(rows["leaderboard.w"].p95_ratio, 1.1) and rows["leaderboard.w"].within
    assert not rows["leaderboard.w:live"].within


def test_live_reference_rows_and_mixed_forms_are_not_counted() -> None:
    rows = {r.name: r for r in scales.compare(*_pair())}
    assert rows["dashboard.a"].counted and rows["leaderboard.w"].counted
    assert not rows["leaderboard.w:live"].counted
    assert not rows["leaderboard.m"].counted and rows["leaderboard.m"].form == "live / tuned"
    found = {v.category: v for v in scales.verdicts(list(rows.values()))}
    assert (found["dashboard"].within, found["dashboard"].counted) == (2, 2)
    assert found["dashboard"].met and found["leaderboard"].met


def test_one_scenario_beyond_two_times_misses_its_category() -> None:
    small, large = _pair()
    slower = _run(10.0, *large.last.scenarios[:1], _result("dashboard.b", "dashboard", 4.5))
    found = {v.category: v for v in scales.verdicts(scales.compare(small, slower))}
    assert not found["dashboard"].met and (found["dashboard"].within, found["dashboard"].counted
                                           ) == (1, 2)
    assert not found["leaderboard"].met and found["leaderboard"].counted == 0


def test_tables_say_yes_no_and_not_counted() -> None:
    small, large = _pair()
    rows = scales.compare(small, large)
    table = report.scale_table(small, large, rows)
    assert "| dashboard.a | live | 1.000 | 1.000 | 2.000 | 3.900 | 1.95x | yes |" in table
    assert "| leaderboard.w:live | live |" in table and "(not counted)" in table
    verdict = report.scale_verdict_table(scales.verdicts(rows))
    assert "| dashboard | 2 of 2 | met |" in verdict


def _write(run: BenchRun, path: Path) -> Path:
    baseline.write(run, path)
    return path


def test_cli_prints_the_verdicts_and_exits_1_when_a_category_misses(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small, large = _pair()
    a, b = _write(small, tmp_path / "sf1.json"), _write(large, tmp_path / "sf10.json")
    met = run_cli(capsys, "bench", "compare-scales", str(a), str(b))
    assert met.status == 0, met.err
    assert "p95 at scale 10 against scale 1" in met.out
    assert "| leaderboard | 1 of 1 | met |" in met.out
    worse = _write(_run(10.0, _result("dashboard.a", "dashboard", 9.0)), tmp_path / "worse.json")
    missed = run_cli(capsys, "bench", "compare-scales", str(a), str(worse))
    assert missed.status == 1 and "| dashboard | 0 of 1 | MISSED |" in missed.out


@pytest.mark.parametrize("file", ["other_format.json", "not_json.json", "future_version.json"])
def test_cli_refuses_a_file_of_another_format_in_one_line_with_exit_2(
        file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(_pair()[0], tmp_path / "sf1.json")
    result = run_cli(capsys, "bench", "compare-scales", str(good), str(DATA / file))
    assert result.status == 2 and result.out == ""
    assert str(DATA / file) in result.err and result.err.count("\n") == 1


def test_a_version_1_file_is_read_as_live_forms(tmp_path: Path) -> None:
    document = baseline.to_json(_pair()[0])
    document["version"] = 1
    for phase in document["phases"]:
        for scenario in phase["scenarios"]:
            del scenario["form"]
    del document["refresh_seconds"]
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(document))
    run = baseline.load(path)
    assert {s.form for s in run.last.scenarios} == {"live"} and run.refresh_seconds == {}
