"""Migration files: naming, steps, checksums, and the folders that are refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pgwatch.migrations import files
from pgwatch.migrations.errors import MigrationError

DATA = Path(__file__).resolve().parents[1] / "data" / "migrations"


def test_packaged_migrations_are_contiguous_pairs() -> None:
    migrations = files.load()
    assert [m.label for m in migrations] == [
        "0001_mile_quest_schema", "0002_production_performance_tuning",
        "0003_enhanced_triggers"]
    for migration in migrations:
        assert migration.up.steps and migration.down.steps
        assert migration.up.checksum != migration.down.checksum


def test_every_tuning_index_is_concurrent_alone_and_names_the_query_it_serves() -> None:
    tuning = files.load()[1]
    concurrent = [s for s in tuning.up.steps if not s.transactional]
    assert len(concurrent) >= 15
    for step in concurrent:
        statements = [line for line in step.sql.splitlines() if not line.startswith("--")]
        assert "CREATE INDEX CONCURRENTLY IF NOT EXISTS" in statements[0]
        assert "".join(statements).count(";") == 1, f"step at line {step.line} is not one statement"
        assert re.match(r"-- [a-z]+\.[a-z_]+[:, ]", step.sql), step.sql.splitlines()[0]
    down = [s for s in tuning.down.steps if not s.transactional]
    assert len(down) == len(concurrent)


def test_bucket_expressions_are_immutable_utc() -> None:
    text = files.load()[1].up.steps[0].sql
    assert "IMMUTABLE" in text
    assert "AT TIME ZONE 'UTC'" in text


def test_steps_split_at_markers_and_skip_comment_only_preambles() -> None:
    text = ("-- header\n\n-- pgwatch:step\nCREATE TABLE a (i int);\n"
            "-- pgwatch:step no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS ai ON a (i);\n"
            "--pgwatch:step\n-- only a comment\n")
    steps = files.parse_steps(text, "x.up.sql")
    assert [(s.number, s.line, s.transactional) for s in steps] == [(1, 3, True), (2, 5, False)]
    assert steps[1].sql.startswith("CREATE INDEX CONCURRENTLY")


def test_a_file_without_markers_is_one_transactional_step() -> None:
    steps = files.parse_steps("-- t\nCREATE TABLE a (i int);\nCREATE TABLE b (i int);\n", "f")
    assert len(steps) == 1 and steps[0].transactional


@pytest.mark.parametrize(("text", "message"), [
    ("-- pgwatch:steps\nSELECT 1;\n", r"f\.sql:1: unknown directive"),
    ("SELECT 1;\n-- pgwatch:step no-transaction\n-- nothing\n", r"f\.sql:2: empty no-transaction"),
    ("-- only comments\n", r"f\.sql: no SQL statement"),
])
def test_malformed_files_are_refused_with_file_and_line(text: str, message: str) -> None:
    with pytest.raises(MigrationError, match=message):
        files.parse_steps(text, "f.sql")


@pytest.mark.parametrize(("folder", "message"), [
    ("gap", r"gap: migration 0002 is missing"),
    ("bad_name", r"bad_name/2_two\.sql: not a migration file name"),
    ("missing_down", r"0001_one\.up\.sql: no matching down file"),
    ("no_such_folder", r"no_such_folder: no such migration folder"),
])
def test_bad_folders_are_refused(folder: str, message: str) -> None:
    with pytest.raises(MigrationError, match=message):
        files.load(DATA / folder)


def test_checksum_changes_with_any_edit() -> None:
    assert files.checksum("SELECT 1;\n") == files.checksum("SELECT 1;\n")
    assert files.checksum("SELECT 1;\n") != files.checksum("SELECT 1; \n")
