"""Shared by the migration tests: sample data, stats checks, schema dumps (no test here)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from pgwatch.embedded import binaries
from pgwatch.migrations.runner import Runner, RunnerOptions

DATA = Path(__file__).resolve().parents[1] / "data" / "migrations"


def connect(dsn: str) -> psycopg.Connection[Any]:
    """A plain autocommit superuser session."""
    return psycopg.connect(dsn, autocommit=True)


def runner(dsn: str, directory: Path | None = None, **options: Any) -> Runner:
    """A runner over the packaged migrations (or ``directory``)."""
    return Runner(dsn, directory, RunnerOptions(**options))


def seed(dsn: str, activities: int) -> None:
    """Load the deterministic sample data (the schema of 0001 must be there)."""
    with connect(dsn) as conn:
        conn.execute(f"SET pgwatch_test.activities = {int(activities)}")
        conn.execute((DATA / "seed.sql").read_text(encoding="utf-8"))


def stats_mismatches(dsn: str) -> list[str]:
    """team_progress and user_stats rows that differ from sums over activities."""
    with connect(dsn) as conn:
        rows = conn.execute((DATA / "stats_mismatches.sql").read_text(encoding="utf-8"))
        return [str(row[0]) for row in rows.fetchall()]


def server_major(dsn: str) -> int:
    """The server's major version."""
    with connect(dsn) as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    assert row is not None
    return int(str(row[0])) // 10_000


def schema_dump(dsn: str) -> str:
    """``pg_dump --schema-only`` of the application, without the runner's bookkeeping."""
    params = {k: str(v) for k, v in conninfo_to_dict(dsn).items() if v is not None}
    env = {"PGPASSWORD": params.pop("password", "")}
    tool = binaries(server_major(dsn)) / "pg_dump"
    args = [str(tool), "--schema-only", "--no-owner", "--exclude-schema=pgwatch_meta",
            "--host", params.get("host", "127.0.0.1"), "--port", params.get("port", "5432"),
            "--username", params.get("user", "postgres"), "--dbname", params["dbname"]]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True, timeout=120)
    # pg_dump 17+ prints a random \restrict key; it is not part of the schema.
    return "\n".join(line for line in done.stdout.splitlines()
                     if not line.startswith(("\\restrict", "\\unrestrict")))


def table_names(dsn: str) -> list[str]:
    """Tables and materialized views of the public schema."""
    with connect(dsn) as conn:
        rows = conn.execute("SELECT c.relname FROM pg_catalog.pg_class AS c "
                            "JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace "
                            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm') "
                            "ORDER BY 1").fetchall()
    return [str(row[0]) for row in rows]


def has_ledger(dsn: str) -> bool:
    """Whether the runner's bookkeeping schema exists."""
    with connect(dsn) as conn:
        row = conn.execute("SELECT to_regnamespace('pgwatch_meta') IS NOT NULL").fetchone()
    return bool(row and row[0])
