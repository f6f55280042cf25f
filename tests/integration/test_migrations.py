"""The Mile Quest migrations apply, verify and roll back exactly, on every server version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pgwatch.cli import main
from pgwatch.migrations import files
from pgwatch.migrations.errors import MigrationError
from pgwatch.migrations.verify import status, verify
from tests.integration.test_migrations_support import (
    DATA,
    connect,
    has_ledger,
    runner,
    schema_dump,
    seed,
    table_names,
)


def test_each_version_applies_verifies_and_rolls_back_to_the_same_schema(pg_dsn: str) -> None:
    migrate = runner(pg_dsn)
    dumps = [schema_dump(pg_dsn)]
    for version in range(1, migrate.latest + 1):
        outcome = migrate.up(to=version)
        assert outcome.versions == (version,)
        if version == 1:
            seed(pg_dsn, 2_000)
        result = verify(migrate)
        assert result.ok, result.problems
        assert result.migrations == version
        dumps.append(schema_dump(pg_dsn))
    assert len(set(dumps)) == len(dumps), "every migration changes the schema"
    for version in range(migrate.latest, 0, -1):
        assert migrate.down().versions == (version,)
        assert schema_dump(pg_dsn) == dumps[version - 1], f"down from {version} is not exact"
        if version > 1:
            assert verify(migrate).ok
    assert table_names(pg_dsn) == []


def test_up_down_up_again_is_clean(pg_dsn: str) -> None:
    migrate = runner(pg_dsn)
    migrate.up()
    migrate.down(to=0)
    assert migrate.up().versions == (1, 2, 3)
    assert verify(migrate).ok
    assert [row.state for row in status(migrate)] == ["applied"] * 3


def test_tuning_adds_at_least_15_indexes_built_concurrently(pg_dsn: str) -> None:
    migrate = runner(pg_dsn)
    migrate.up(to=1)
    before = _index_count(pg_dsn)
    outcome = migrate.up(to=2)
    concurrent = [s for s in outcome.steps if not s.step.transactional]
    assert len(concurrent) >= 15
    assert all("CREATE INDEX CONCURRENTLY" in s.step.sql for s in concurrent)
    assert _index_count(pg_dsn) - before >= 15


def _index_count(dsn: str) -> int:
    with connect(dsn) as conn:
        row = conn.execute("SELECT count(*) FROM pg_catalog.pg_indexes "
                           "WHERE schemaname = 'public'").fetchone()
    assert row is not None
    return int(row[0])


def test_dry_run_prints_the_sql_and_applies_nothing(pg_dsn: str) -> None:
    migrate = runner(pg_dsn)
    outcome = migrate.up(dry_run=True)
    text = outcome.script_text()
    assert "CREATE TABLE public.activities" in text
    assert "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_activities_public_week" in text
    assert "(no transaction)" in text
    assert table_names(pg_dsn) == []
    assert not has_ledger(pg_dsn)
    migrate.up(to=2)
    down_text = migrate.down(dry_run=True).script_text()
    assert "DROP INDEX CONCURRENTLY IF EXISTS public.idx_activities_public_week" in down_text
    assert verify(migrate).migrations == 2


def test_an_edited_migration_is_refused_and_nothing_runs(pg_dsn: str, tmp_path: Path) -> None:
    folder = _copy_packaged(tmp_path)
    runner(pg_dsn, folder).up(to=1)
    edited = folder / "0001_mile_quest_schema.up.sql"
    edited.write_text(edited.read_text() + "\n-- a later tweak\n")
    migrate = runner(pg_dsn, folder)
    with pytest.raises(MigrationError, match=r"0001_mile_quest_schema\.up\.sql: edited"):
        migrate.up()
    with pytest.raises(MigrationError, match="edited"):
        migrate.down()
    assert "idx_activities_public_week" not in schema_dump(pg_dsn)
    assert [row.state for row in status(migrate)] == ["EDITED", "pending", "pending"]
    problems = verify(migrate).problems
    assert any("edited after it was applied" in p for p in problems)


def _copy_packaged(tmp_path: Path) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir()
    for migration in files.load():
        for script in (migration.up, migration.down):
            name = script.path.rsplit("/", 1)[1]
            source = Path(files.__file__).parent / "sql" / name
            shutil.copy(source, folder / name)
    return folder


def test_a_folder_with_a_gap_is_refused_before_connecting(pg_dsn: str) -> None:
    with pytest.raises(MigrationError, match="migration 0002 is missing"):
        runner(pg_dsn, DATA / "gap").up()
    assert not has_ledger(pg_dsn)
    assert table_names(pg_dsn) == []


def test_down_and_verify_on_an_empty_database_are_refused(pg_dsn: str) -> None:
    migrate = runner(pg_dsn)
    with pytest.raises(MigrationError, match="no Mile Quest migration is applied"):
        migrate.down()
    with pytest.raises(MigrationError, match="no Mile Quest migration is applied"):
        verify(migrate)
    assert not has_ledger(pg_dsn)


def test_a_failing_step_reports_file_and_line_and_keeps_earlier_steps(pg_dsn: str) -> None:
    with connect(pg_dsn) as conn:
        conn.execute("CREATE TABLE public.mv_refresh_queue (view_name text)")
    migrate = runner(pg_dsn)
    migrate.up(to=1)
    with pytest.raises(MigrationError, match=r"0003_enhanced_triggers\.up\.sql:\d+: .* step 1 "):
        migrate.up()
    assert [row.state for row in status(migrate)][:2] == ["applied", "applied"]
    assert status(migrate)[2].state == "pending"
    with connect(pg_dsn) as conn:
        conn.execute("DROP TABLE public.mv_refresh_queue")
    assert migrate.up().versions == (3,)
    assert verify(migrate).ok


def test_cli_round_trip(pg_dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    def run(*args: str) -> int:
        try:
            main(["migrate", *args, "--dsn", pg_dsn])
        except SystemExit as done:
            return int(done.code or 0)
        return 0

    assert run("verify") == 2
    assert "no Mile Quest migration is applied" in capsys.readouterr().err
    assert run("up", "--dry-run") == 0
    assert "nothing applied" in capsys.readouterr().out
    assert run("up") == 0
    assert "applied 0003_enhanced_triggers" in capsys.readouterr().out
    assert run("verify") == 0
    assert "OK: 3 migrations applied" in capsys.readouterr().out
    assert run("status") == 0
    status = capsys.readouterr().out.splitlines()
    assert status[0].split() == ["migration", "state", "applied", "at"]
    assert [line.split()[1] for line in status[1:]] == ["applied"] * 3
    with connect(pg_dsn) as conn:
        conn.execute("DROP INDEX public.idx_users_email_lower")
    assert run("verify") == 1
    assert "index public.idx_users_email_lower is missing" in capsys.readouterr().out
    assert run("down", "--to", "0") == 0
    assert "reverted 0001_mile_quest_schema" in capsys.readouterr().out
