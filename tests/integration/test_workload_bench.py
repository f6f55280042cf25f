"""``pgwatch bench`` end to end at a tiny scale: every scenario on the before and after schemas.

Nothing here asserts a timing: only that every scenario runs without error on every schema
state and server version, and that the CLI's exit statuses follow the baseline verdicts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pgwatch.migrations import ledger
from pgwatch.migrations.runner import Runner
from pgwatch.workload import baseline, bench, catalog
from pgwatch.workload.runner import RunSettings
from tests.cli import run_cli

# The scenarios are plain SQL: the oldest and newest supported servers cover them.
pytestmark = pytest.mark.edge_versions

SCALE = "0.01"
SHORT = RunSettings(duration_s=0.2, concurrency=2)


def test_every_scenario_runs_before_and_after_the_migrations(pg_dsn: str) -> None:
    scenarios = catalog.load_catalog()
    run = bench.run(bench.BenchOptions(pg_dsn, float(SCALE), SHORT, scenarios,
                                       compare_migrations=True))
    assert [phase.name for phase in run.phases] == ["before", bench.INDEXES_PHASE, "after"]
    assert run.load_seconds is not None and run.migrate_seconds is not None
    for phase in run.phases:
        for result in phase.scenarios:
            assert result.errors == 0, f"{phase.name} {result.name}: {result.first_error}"
            assert result.calls > 0, f"{phase.name} {result.name}"
        expected = [s for s in scenarios if s.writes or phase.name != bench.INDEXES_PHASE]
        if phase.name != "after":  # the materialized views of 0003 do not exist yet
            expected = [s for s in expected if not s.requires]
        names = {s.name for s in expected}
        tuned = {s.name for s in expected if s.tuned is not None}
        if phase.name == "after":  # tuned forms, and their live forms beside them
            names |= {f"{name}:live" for name in tuned}
        assert {r.name for r in phase.scenarios} == names
        forms = {r.name: r.form for r in phase.scenarios}
        assert {n for n, f in forms.items() if f == "tuned"} == (
            tuned if phase.name == "after" else set())
    assert set(run.refresh_seconds) == {"public.mv_global_leaderboard"}
    with Runner(pg_dsn).session() as conn:
        applied = ledger.read(conn).applied_versions()
    assert applied == [1, 2, 3]  # the after phase ran on the fully migrated schema


def _doctored(source: Path, target: Path, factor: float) -> None:
    """A copy of a results file whose latencies are all multiplied by ``factor``."""
    document = json.loads(source.read_text())
    for phase in document["phases"]:
        for scenario in phase["scenarios"]:
            scenario["samples_ms"] = [value * factor for value in scenario["samples_ms"]]
    target.write_text(json.dumps(document))


@pytest.mark.one_version  # the CLI's exit codes; the scenarios run on every version above
def test_cli_runs_end_to_end_and_exits_1_on_a_regression(
        pg_dsn: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Runner(pg_dsn).up()
    out = tmp_path / "run.json"
    common = ("bench", "--dsn", pg_dsn, "--scale", SCALE, "--duration", "0.3",
              "--concurrency", "2", "--scenarios", "dashboard,permission,write.activity_insert")
    first = run_cli(capsys, *common, "--json", str(out))
    assert first.status == 0, first.err
    assert "| dashboard.team_feed | live | dashboard |" in first.out
    assert baseline.load(out).last.get("write.activity_insert") is not None

    _doctored(out, tmp_path / "faster.json", 0.01)
    _doctored(out, tmp_path / "slower.json", 100.0)
    regressed = run_cli(capsys, *common, "--baseline", str(tmp_path / "faster.json"))
    assert regressed.status == 1
    assert "REGRESSION" in regressed.out and "regression in" in regressed.err
    improved = run_cli(capsys, *common, "--baseline", str(tmp_path / "slower.json"))
    assert improved.status == 0, improved.err
    assert "REGRESSION" not in improved.out


@pytest.mark.one_version  # the CLI's exit codes; the scenarios run on every version above
def test_cli_refuses_a_database_without_the_schema(
        pg_dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "bench", "--dsn", pg_dsn, "--scale", SCALE, "--duration", "0.2")
    assert result.status == 2
    assert "no Mile Quest schema" in result.err


@pytest.mark.one_version  # the CLI's exit codes; the scenarios run on every version above
def test_compare_migrations_refuses_a_migrated_database(
        pg_dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    Runner(pg_dsn).up()
    result = run_cli(capsys, "bench", "--dsn", pg_dsn, "--scale", SCALE, "--duration", "0.2",
                     "--compare-migrations")
    assert result.status == 2
    assert "is at migration 3" in result.err
