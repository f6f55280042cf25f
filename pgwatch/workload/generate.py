"""The Mile Quest data generator: set-based SQL with a scale factor, in one transaction.

Scale factor 1 is 10,000 users, 1,000 teams and 1,000,000 activities. Every row comes from
``INSERT ... SELECT generate_series`` with skewed random choices (see the ``gen_*.sql``
files for the distributions); nothing is sent row by row. The activity triggers are
switched off for the load (``session_replication_role = replica`` as superuser, otherwise
``DISABLE TRIGGER USER`` by the table owner) because recomputing the statistics from scratch
per row is exactly the naive cost the migrations remove; the rows they maintain are then
computed once, set-based, with the same definitions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from psycopg import sql

from pgwatch.db.session import SessionSettings, connect
from pgwatch.errors import PgwatchError
from pgwatch.sql import load_sql

PACKAGE = "pgwatch.workload.sql"
STEPS = ("gen_users", "gen_members", "gen_goals", "gen_activities", "gen_derived", "gen_extras")
# Rough share of the load time of each step, for the progress bar.
WEIGHTS = {"gen_users": 2, "gen_members": 2, "gen_goals": 1, "gen_activities": 60,
           "gen_derived": 20, "gen_extras": 2, "vacuum": 13}
TABLES = ("users", "teams", "team_members", "team_goals", "activities", "team_progress",
          "user_stats", "team_invites", "achievements", "user_achievements")

Connection = psycopg.Connection[tuple[object, ...]]
Progress = Callable[[str, int], None]


class WorkloadError(PgwatchError):
    """The database cannot take the workload (no schema, data already there, bad scale)."""


@dataclass(frozen=True, slots=True)
class Scale:
    """Row counts for a scale factor."""

    factor: float
    users: int
    teams: int
    activities: int

    @classmethod
    def of(cls, factor: float) -> Scale:
        """Scale factor 1: 10k users, 1k teams, 1M activities; at least a few of each."""
        if not 0 < factor <= 1000:
            raise WorkloadError(f"--scale: {factor} is outside (0, 1000]")
        return cls(factor, max(round(10_000 * factor), 20), max(round(1_000 * factor), 4),
                   max(round(1_000_000 * factor), 100))


@dataclass(frozen=True, slots=True)
class LoadReport:
    """How long the load took and what it produced."""

    scale: Scale
    seconds: float
    rows: dict[str, int]


def schema_present(conn: Connection) -> bool:
    """Whether migration 0001's tables exist in the connected database."""
    row = conn.execute(load_sql(PACKAGE, "schema_present").encode()).fetchone()
    return bool(row and row[0])


def row_counts(conn: Connection) -> dict[str, int]:
    """Rows per generated table."""
    rows = conn.execute(load_sql(PACKAGE, "row_counts").encode()).fetchall()
    return {str(name): int(str(count)) for name, count in rows}


def _superuser(conn: Connection) -> bool:
    row = conn.execute(load_sql(PACKAGE, "superuser").encode()).fetchone()
    return bool(row and row[0])


def _run_script(conn: Connection, name: str, scale: Scale, seed: float) -> None:
    """One generator file; client-side binding allows several statements with parameters."""
    values = {"users": scale.users, "teams": scale.teams, "activities": scale.activities,
              "seed": seed}
    with psycopg.ClientCursor(conn) as cursor:
        cursor.execute(load_sql(PACKAGE, name), values)


def _fill(conn: Connection, scale: Scale, seed: float, progress: Progress) -> None:
    superuser = _superuser(conn)
    with conn.transaction():
        if superuser:
            conn.execute("SET LOCAL session_replication_role = replica")
        else:
            conn.execute(load_sql(PACKAGE, "triggers_off").encode())
        for step in STEPS:
            progress(step, 0)
            _run_script(conn, step, scale, seed)
            progress(step, WEIGHTS[step])
        if not superuser:
            conn.execute(load_sql(PACKAGE, "triggers_on").encode())


def _vacuum(conn: Connection, progress: Progress) -> None:
    """Visibility map and statistics, as a freshly loaded production table would have them."""
    progress("vacuum", 0)
    for table in TABLES:
        conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier("public", table)))
    progress("vacuum", WEIGHTS["vacuum"])


def load(dsn: str, factor: float, *, seed: float = 0.42,
         progress: Progress | None = None) -> LoadReport:
    """Generate the data set of ``factor`` into an empty Mile Quest schema."""
    scale = Scale.of(factor)
    report = progress or (lambda _step, _weight: None)
    settings = SessionSettings(read_only=False, untracked=False, statement_timeout_ms=0,
                               lock_timeout_ms=10_000)
    began = time.monotonic()
    with connect(dsn, settings) as conn:
        if not schema_present(conn):
            raise WorkloadError("--dsn: the database has no Mile Quest schema "
                                "(public.activities); apply migration 0001 first: "
                                "pgwatch migrate up --dsn DSN")
        existing = row_counts(conn)
        if existing["users"] or existing["activities"]:
            raise WorkloadError(f"--dsn: the Mile Quest tables already hold data "
                                f"({existing['users']} users, {existing['activities']} "
                                "activities); load into an empty schema")
        _fill(conn, scale, seed, report)
        _vacuum(conn, report)
        rows = row_counts(conn)
    return LoadReport(scale, time.monotonic() - began, rows)
