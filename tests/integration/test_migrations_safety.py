"""The runner under pressure: concurrent runners, interrupted index builds, live writers."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from pgwatch.migrations.errors import MigrationError
from pgwatch.migrations.runner import LOCK_KEY, Outcome
from pgwatch.migrations.verify import status, verify
from tests.integration.test_migrations_support import (
    DATA,
    connect,
    has_ledger,
    runner,
    seed,
    stats_mismatches,
)

# Lock levels of the migrations' DDL are alike from 14 to 18: the oldest and newest cover it.
pytestmark = pytest.mark.edge_versions


def test_two_runners_never_interleave(pg_dsn: str) -> None:
    outcomes: list[Outcome] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            outcomes.append(runner(pg_dsn).up())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors
    first, second = sorted(outcomes, key=lambda o: o.lock_held[0])
    assert first.lock_held[1] <= second.lock_held[0], "the lock was held by both at once"
    assert sorted(first.versions + second.versions) == [1, 2, 3]
    assert verify(runner(pg_dsn)).ok


def test_a_runner_waits_for_the_lock_and_gives_up_after_lock_wait(pg_dsn: str) -> None:
    with connect(pg_dsn) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        with pytest.raises(MigrationError, match="holds the migration lock"):
            runner(pg_dsn, lock_wait_s=0.5).up()
        assert not has_ledger(pg_dsn)
        result: list[Outcome] = []
        waiting = threading.Thread(target=lambda: result.append(runner(pg_dsn).up()))
        waiting.start()
        time.sleep(1.0)
        assert not has_ledger(pg_dsn), "the runner ran while another held the lock"
        holder.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
        waiting.join(timeout=300)
    assert result and result[0].versions == (1, 2, 3)


def test_an_interrupted_concurrent_build_is_detected_and_rebuilt(pg_dsn: str) -> None:
    folder = DATA / "invalid_index"
    migrate = runner(pg_dsn, folder)
    migrate.up(to=1)
    with connect(pg_dsn) as conn:
        conn.execute("INSERT INTO public.codes SELECT i, 'c' || (i % 50) "
                     "FROM generate_series(1, 100) AS i")
    with pytest.raises(MigrationError, match=r"0002_unique_codes\.up\.sql:\d+: .*step 2 failed"):
        migrate.up()
    assert _invalid(pg_dsn) == ["codes_code_unique"]
    assert status(migrate)[1].state == "partial (1/3 steps)"
    problems = verify(migrate).problems
    assert any("codes_code_unique is INVALID" in p for p in problems)
    assert any("stopped half-way" in p for p in problems)
    with connect(pg_dsn) as conn:
        conn.execute("DELETE FROM public.codes WHERE id > 50")
    outcome = migrate.up()
    assert outcome.versions == (2,)
    assert _invalid(pg_dsn) == []
    assert verify(migrate).ok
    with connect(pg_dsn) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("INSERT INTO public.codes VALUES (1000, 'c1')")


def test_an_invalid_index_of_an_applied_migration_is_repaired_by_up(pg_dsn: str) -> None:
    migrate = runner(pg_dsn)
    migrate.up(to=1)
    seed(pg_dsn, 1_000)
    # A unique build over duplicate goals fails and leaves an INVALID index of that name, as a
    # build cancelled half-way does.
    with connect(pg_dsn) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("CREATE UNIQUE INDEX CONCURRENTLY idx_activities_goal_cover "
                     "ON public.activities (team_goal_id)")
    assert _invalid(pg_dsn) == ["idx_activities_goal_cover"]
    assert migrate.up().versions == (2, 3)
    assert _invalid(pg_dsn) == []
    with connect(pg_dsn) as conn:
        conn.execute("DROP INDEX public.idx_teams_search")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("CREATE UNIQUE INDEX CONCURRENTLY idx_teams_search "
                         "ON public.teams (is_public)")
    assert any("idx_teams_search is INVALID" in p for p in verify(migrate).problems)
    assert migrate.up(dry_run=True).repaired == ("index public.idx_teams_search",)
    assert any("idx_teams_search is INVALID" in p for p in verify(migrate).problems)
    outcome = migrate.up()
    assert outcome.versions == ()
    assert outcome.repaired == ("index public.idx_teams_search",)
    assert verify(migrate).ok


def _invalid(dsn: str) -> list[str]:
    with connect(dsn) as conn:
        rows = conn.execute("SELECT c.relname FROM pg_catalog.pg_index AS i "
                            "JOIN pg_catalog.pg_class AS c ON c.oid = i.indexrelid "
                            "WHERE NOT i.indisvalid ORDER BY 1").fetchall()
    return [str(row[0]) for row in rows]


class Writer(threading.Thread):
    """Inserts activities one per transaction until stopped; records latencies and errors.

    With ``touch_user`` each transaction first updates the user's row, then inserts: it holds
    a lock on users while it asks for activities, the order opposite to the migration's DDL.
    """

    def __init__(self, dsn: str, *, touch_user: bool = False) -> None:
        super().__init__(daemon=True)
        self.dsn = dsn
        self.touch_user = touch_user
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        with connect(self.dsn) as conn:
            targets = conn.execute(
                "SELECT a.user_id, a.team_id, a.team_goal_id FROM public.activities AS a "
                "WHERE a.team_goal_id IS NOT NULL ORDER BY a.id LIMIT 50").fetchall()
            while not self.stop.is_set():
                self._insert(conn, targets[len(self.latencies) % len(targets)])

    def _insert(self, conn: psycopg.Connection[Any], target: tuple[Any, ...]) -> None:
        began = time.monotonic()
        try:
            with conn.transaction():
                if self.touch_user:
                    conn.execute("UPDATE public.users SET updated_at = now() WHERE id = %s",
                                 (target[0],))
                conn.execute(
                    "INSERT INTO public.activities (user_id, team_id, team_goal_id, distance, "
                    "duration, start_time, source, external_id) "
                    "VALUES (%s, %s, %s, 1234.5, 600, now(), 'STRAVA', %s)",
                    (*target, uuid.uuid4().hex))
        except psycopg.Error as exc:
            self.errors.append(str(exc).splitlines()[0])
        self.latencies.append(time.monotonic() - began)


def _with_writer(dsn: str, migrate: Callable[[], Outcome], what: str) -> Outcome:
    """Run a migration while two writers insert; no insert fails and none stalls for long."""
    writers = [Writer(dsn), Writer(dsn, touch_user=True)]
    for writer in writers:
        writer.start()
    time.sleep(0.5)
    began = time.monotonic()
    outcome = migrate()
    elapsed = time.monotonic() - began
    time.sleep(0.5)
    for writer in writers:
        writer.stop.set()
        writer.join(timeout=60)
    latencies = sorted(t for writer in writers for t in writer.latencies)
    errors = [e for writer in writers for e in writer.errors]
    print(f"\nzero-downtime {what}: {elapsed:.2f} s; {len(latencies)} inserts, "
          f"{len(errors)} failed, median {latencies[len(latencies) // 2] * 1000:.1f} ms, "
          f"longest stall {latencies[-1] * 1000:.0f} ms")
    assert errors == []
    assert all(len(writer.latencies) > 20 for writer in writers)
    assert latencies[-1] < 2.0, f"an insert stalled {latencies[-1]:.2f} s during {what}"
    return outcome


def test_zero_downtime_writers_never_fail_while_migrating(pg_dsn: str) -> None:
    migrate = runner(pg_dsn, lock_timeout_ms=500)
    migrate.up(to=1)
    seed(pg_dsn, 100_000)
    assert _with_writer(pg_dsn, migrate.up, "up 0002+0003").versions == (2, 3)
    assert stats_mismatches(pg_dsn) == []
    assert verify(migrate).ok
    assert _with_writer(pg_dsn, lambda: migrate.down(to=1), "down to 0001").versions == (3, 2)
    assert stats_mismatches(pg_dsn) == []
    assert verify(migrate).ok
