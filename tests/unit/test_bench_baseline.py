"""The bench JSON format: round trip, refusal of other files (exit 2), regression verdicts."""

from __future__ import annotations

import json
import math
import random
from dataclasses import replace
from pathlib import Path

import pytest

from pgwatch.workload import baseline
from pgwatch.workload.results import BenchRun, PhaseResult, ScenarioResult
from tests.cli import run_cli

DATA = Path(__file__).parent.parent / "data" / "bench"


def _result(name: str, median_ms: float, seed: int, n: int = 400) -> ScenarioResult:
    rng = random.Random(seed)
    samples = [rng.lognormvariate(math.log(median_ms), 0.4) for _ in range(n)]
    return ScenarioResult.from_samples(name, "dashboard", samples, errors=0, seconds=10.0)


def _run(*scenarios: ScenarioResult, phase: str = "run") -> BenchRun:
    return BenchRun("2026-11-24T18:00:00+00:00", "18.1", 0.01, 10.0, 4, 1.5,
                    (PhaseResult(phase, scenarios),), {"activities": 10_000})


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    run = _run(_result("dashboard.user_summary", 2.0, 1), _result("write.x", 5.0, 2))
    path = tmp_path / "b.json"
    baseline.write(run, path)
    loaded = baseline.load(path)
    assert loaded == run
    document = json.loads(path.read_text())
    assert document["format"] == "pgwatch-bench" and document["version"] == 2


def test_a_scenario_without_successful_calls_round_trips_as_null(tmp_path: Path) -> None:
    empty = ScenarioResult.from_samples("write.x", "write", [], errors=3, seconds=1.0,
                                        first_error="boom")
    path = tmp_path / "b.json"
    baseline.write(_run(empty), path)
    assert json.loads(path.read_text())["phases"][0]["scenarios"][0]["p50_ms"] is None
    loaded = baseline.load(path).last.scenarios[0]
    assert math.isnan(loaded.p50_ms) and loaded.grade == "F" and loaded.first_error == "boom"


@pytest.mark.parametrize(("file", "message"), [
    ("other_format.json", "not a pgwatch bench results file"),
    ("future_version.json", "version 3 is not supported"),
    ("not_json.json", "not a JSON bench results file"),
    ("missing_fields.json", "malformed bench results"),
    ("a_list.json", "not a pgwatch bench results file"),
])
def test_other_files_are_refused_with_the_reason(file: str, message: str) -> None:
    with pytest.raises(baseline.BaselineError, match=message) as caught:
        baseline.load(DATA / file)
    assert str(DATA / file) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(baseline.BaselineError, match="cannot read bench results"):
        baseline.load(tmp_path / "absent.json")


def test_cli_exits_2_on_a_bad_baseline_before_touching_a_server(
        capsys: pytest.CaptureFixture[str]) -> None:
    # The DSN points nowhere: the baseline is checked first, so no connection is tried.
    result = run_cli(capsys, "bench", "--dsn", "host=127.0.0.1 port=1 dbname=x",
                     "--baseline", str(DATA / "other_format.json"))
    assert result.status == 2
    assert "not a pgwatch bench results file" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_cli_exits_2_on_an_unknown_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "bench", "--dsn", "host=127.0.0.1 port=1", "--scenarios",
                     "dashboard,no.such.thing")
    assert result.status == 2
    assert "no.such.thing" in result.err


def test_compare_flags_a_clear_regression_and_not_noise() -> None:
    old = _run(_result("a", 2.0, 1), _result("b", 2.0, 2), _result("c", 2.0, 3))
    new = _run(_result("a", 2.0, 11), _result("b", 3.2, 12), _result("d", 1.0, 13))
    verdicts = {v.name: v for v in baseline.compare(new, old)}
    assert set(verdicts) == {"a", "b"}
    assert not verdicts["a"].comparison.regression
    assert verdicts["b"].comparison.regression


def test_compare_matches_forms_a_live_row_with_an_older_live_row() -> None:
    def formed(name: str, median_ms: float, seed: int, form: str) -> ScenarioResult:
        return replace(_result(name, median_ms, seed), form=form)

    old = _run(_result("lb", 50.0, 1), _result("lb2", 2.0, 2))  # a run before tuned forms
    new = _run(formed("lb", 0.5, 3, "tuned"), _result("lb:live", 80.0, 4),
               formed("lb2", 2.0, 5, "tuned"))
    verdicts = {v.name: v for v in baseline.compare(new, old)}
    # The tuned row has no tuned counterpart; the live query is compared with itself.
    assert set(verdicts) == {"lb:live"}
    assert verdicts["lb:live"].comparison.regression
    assert baseline.compare(new, new)[0].comparison.regression is False
