"""Apply and revert the Mile Quest migrations: one runner at a time, step by step, resumable.

Each transactional step runs in its own transaction together with the record that it is done;
a no-transaction step (``CREATE INDEX CONCURRENTLY``) runs alone and is idempotent, so a run
that stopped half-way resumes where it stopped. DDL that needs a lock writers conflict with
waits at most ``lock_timeout_ms`` and is retried, so writers are never queued for long.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from pgwatch.db import SessionSettings, connect, describe
from pgwatch.migrations import files, indexes, ledger
from pgwatch.migrations.errors import MigrationError
from pgwatch.migrations.files import Migration, Script, Step
from pgwatch.migrations.ledger import Connection, Ledger
from pgwatch.migrations.objects import DbObject

log = logging.getLogger(__name__)

_LOCK_POLL_S = 0.2
# The advisory lock key: the first 8 bytes of a hash of a fixed name, as a signed bigint.
LOCK_KEY = int.from_bytes(hashlib.sha256(b"pgwatch migrate").digest()[:8], "big", signed=True)


@dataclass(frozen=True, slots=True)
class RunnerOptions:
    """How long DDL may wait for locks, and how long a runner waits for another one."""

    # Below the server's deadlock_timeout (1 s by default): in a lock cycle with a writer, the
    # migration's wait ends first and the writer goes on.
    lock_timeout_ms: int = 500
    lock_retries: int = 30
    lock_wait_s: float = 300.0


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """One step the runner will run (or, in a dry run, would run)."""

    migration: Migration
    direction: str
    script: Script
    step: Step

    def header(self) -> str:
        """A SQL comment naming the step, printed before its SQL in a dry run."""
        mode = "transaction" if self.step.transactional else "no transaction"
        return (f"-- {self.migration.label} {self.direction} step {self.step.number} "
                f"({mode}) {self.script.where(self.step)}")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a run did: the migrations it completed, the steps, repairs, lock times."""

    direction: str
    versions: tuple[int, ...]
    steps: tuple[PlannedStep, ...]
    repaired: tuple[str, ...] = ()
    dry_run: bool = False
    lock_held: tuple[float, float] = (0.0, 0.0)
    durations_ms: dict[int, float] = field(default_factory=dict)

    def script_text(self) -> str:
        """The SQL of every planned step, each after a header comment (the dry-run output)."""
        return "\n".join(f"{s.header()}\n{s.step.sql}" for s in self.steps)


class Runner:
    """Runs the migrations of one folder against one database."""

    def __init__(self, dsn: str, directory: Path | None = None,
                 options: RunnerOptions | None = None) -> None:
        self.dsn = dsn
        self.migrations = files.load(directory)
        self.options = options or RunnerOptions()

    @property
    def latest(self) -> int:
        """The highest version the folder holds."""
        return self.migrations[-1].version

    def up(self, to: int | None = None, *, dry_run: bool = False) -> Outcome:
        """Apply pending migrations up to ``to`` (all by default) and repair invalid indexes."""
        target = self._target(to, self.latest)
        with self.session() as conn, self._locked(conn) as held:
            state = ledger.read(conn)
            self._check(state)
            if not dry_run and not state.present:
                ledger.create(conn)
            current = len(state.applied)
            if target < current:
                raise MigrationError(f"--to {target}: the database is at version {current}; "
                                     "use `pgwatch migrate down` to go back")
            pending = [m for m in self.migrations if current < m.version <= target]
            plan = [PlannedStep(m, "up", m.up, s) for m in pending for s in m.up.steps
                    if s.number not in state.finished(m.version, "up")]
            broken = self._broken_indexes(conn, state)
            if dry_run:
                return Outcome("up", tuple(m.version for m in pending), tuple(plan),
                               tuple(str(index) for _, _, index in broken), dry_run=True)
            repaired = self._repair_applied(conn, broken)
            durations = {m.version: self._apply(conn, m, "up", state) for m in pending}
        return Outcome("up", tuple(durations), tuple(plan), tuple(repaired),
                       lock_held=held.span(), durations_ms=durations)

    def down(self, to: int | None = None, *, dry_run: bool = False) -> Outcome:
        """Revert applied migrations down to version ``to`` (the last one by default)."""
        with self.session() as conn, self._locked(conn) as held:
            state = ledger.read(conn)
            self._require_applied(state)
            self._check(state)
            current = len(state.applied)
            target = self._target(current - 1 if to is None else to, current)
            reverting = [m for m in reversed(self.migrations) if target < m.version <= current]
            plan = [PlannedStep(m, "down", m.down, s) for m in reverting for s in m.down.steps
                    if s.number not in state.finished(m.version, "down")]
            if dry_run:
                return Outcome("down", tuple(m.version for m in reverting), tuple(plan),
                               dry_run=True)
            durations = {m.version: self._apply(conn, m, "down", state) for m in reverting}
        return Outcome("down", tuple(durations), tuple(plan), lock_held=held.span(),
                       durations_ms=durations)

    def require_ledger(self, conn: Connection) -> Ledger:
        """The ledger of a database where migrations were applied, else a one-line error."""
        state = ledger.read(conn)
        self._require_applied(state)
        return state

    @contextmanager
    def session(self) -> Iterator[Connection]:
        """A read-write autocommit session on the target without timeouts, closed on exit."""
        settings = SessionSettings(read_only=False, untracked=False, statement_timeout_ms=0,
                                   lock_timeout_ms=self.options.lock_timeout_ms,
                                   idle_in_transaction_timeout_ms=0)
        conn = connect(self.dsn, settings, where="--dsn")
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def _locked(self, conn: Connection) -> Iterator[_LockSpan]:
        span = _LockSpan()
        self._acquire(conn)
        span.acquired = time.monotonic()
        try:
            yield span
        finally:
            span.released = time.monotonic()
            if not conn.closed:
                conn.execute(ledger.query("lock_release"), {"key": LOCK_KEY})

    def _acquire(self, conn: Connection) -> None:
        """Poll for the advisory lock until ``lock_wait_s`` has passed."""
        deadline = time.monotonic() + self.options.lock_wait_s
        while True:
            row = conn.execute(ledger.query("lock_acquire"), {"key": LOCK_KEY}).fetchone()
            if row is not None and row[0]:
                return
            if time.monotonic() >= deadline:
                raise MigrationError(
                    f"--dsn {describe(self.dsn)}: another `pgwatch migrate` holds the migration "
                    f"lock (waited {self.options.lock_wait_s:g} s)")
            time.sleep(_LOCK_POLL_S)

    def _target(self, to: int | None, default: int) -> int:
        target = default if to is None else to
        if not 0 <= target <= self.latest:
            raise MigrationError(f"--to {target}: choose a version from 0 to {self.latest}")
        return target

    def _require_applied(self, state: Ledger) -> None:
        if not state.present or not state.applied:
            raise MigrationError(
                f"--dsn {describe(self.dsn)}: no Mile Quest migration is applied in this "
                "database (pgwatch_meta.schema_migrations is missing or empty); "
                "run `pgwatch migrate up` first")

    def _check(self, state: Ledger) -> None:
        """Refuse to run when applied migrations differ from the files (nothing is run)."""
        by_version = {m.version: m for m in self.migrations}
        for row in state.applied:
            migration = by_version.get(row.version)
            if migration is None:
                raise MigrationError(f"migration {row.version:04d}_{row.name} is applied in the "
                                     "database but its files are missing from the folder")
            for script, recorded in ((migration.up, row.up_checksum),
                                     (migration.down, row.down_checksum)):
                if script.checksum != recorded:
                    raise MigrationError(
                        f"{script.path}: edited after it was applied (checksum "
                        f"{script.checksum[:12]} differs from the recorded {recorded[:12]}); "
                        "restore the file and add a new migration instead")
        self._check_steps(state, by_version)

    def _check_steps(self, state: Ledger, by_version: dict[int, Migration]) -> None:
        for done in state.done_steps:
            migration = by_version.get(done.version)
            script = None if migration is None else getattr(migration, done.direction)
            if script is None or script.checksum != done.checksum:
                where = script.path if script is not None else f"migration {done.version:04d}"
                raise MigrationError(f"{where}: edited while a run of it was incomplete "
                                     "(a finished step's checksum differs); restore the file")

    def _broken_indexes(self, conn: Connection,
                        state: Ledger) -> list[tuple[Migration, Step, DbObject]]:
        """Concurrent indexes of applied migrations that were left or became INVALID."""
        applied = set(state.applied_versions())
        found = []
        for migration in self.migrations:
            steps = migration.up.steps if migration.version in applied else ()
            for step in steps:
                index = None if step.transactional else indexes.invalid_index(conn, step.sql)
                if index is not None:
                    found.append((migration, step, index))
        return found

    def _repair_applied(self, conn: Connection,
                        broken: list[tuple[Migration, Step, DbObject]]) -> list[str]:
        """Drop each INVALID index concurrently and run its build step again."""
        for migration, step, _ in broken:
            self._repair(conn, migration.up, step)
            self._execute_alone(conn, migration, migration.up, step)
        return [str(index) for _, _, index in broken]

    def _repair(self, conn: Connection, script: Script, step: Step) -> bool:
        broken = indexes.invalid_index(conn, step.sql)
        if broken is None:
            return False
        try:
            indexes.drop_invalid(conn, broken)
        except psycopg.Error as exc:
            raise MigrationError(f"{script.where(step)}: cannot drop INVALID index "
                                 f"{broken.schema}.{broken.name}: {_first_line(exc)}") from None
        return True

    def _apply(self, conn: Connection, migration: Migration, direction: str,
               state: Ledger) -> float:
        """Run the remaining steps of one migration in one direction; return milliseconds."""
        script: Script = getattr(migration, direction)
        done = state.finished(migration.version, direction)
        started = time.monotonic()
        log.info("%s %s: %d steps", migration.label, direction, len(script.steps))
        for step in script.steps:
            if step.number in done:
                continue
            if step.transactional:
                self._run_transactional(conn, migration, direction, step)
            else:
                self._repair(conn, script, step)
                self._execute_alone(conn, migration, script, step)
                ledger.step_done(conn, migration.version, direction, step.number,
                                 script.checksum)
        elapsed_ms = (time.monotonic() - started) * 1000
        if direction == "up":
            ledger.record_up(conn, migration.version, migration.name,
                             (migration.up.checksum, migration.down.checksum), elapsed_ms)
        else:
            ledger.record_down(conn, migration.version)
        return elapsed_ms

    def _run_transactional(self, conn: Connection, migration: Migration, direction: str,
                           step: Step) -> None:
        script: Script = getattr(migration, direction)
        for attempt in range(1, self.options.lock_retries + 1):
            try:
                with conn.transaction():
                    conn.execute(step.sql)
                    ledger.step_done(conn, migration.version, direction, step.number,
                                     script.checksum)
                return
            except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
                # Gave way to writers (or was chosen to break a lock cycle): back off, retry.
                log.info("%s: lock not granted in %d ms (attempt %d), retrying",
                         script.where(step), self.options.lock_timeout_ms, attempt)
                time.sleep(min(0.05 * attempt, 1.0))
            except psycopg.Error as exc:
                raise _failed(migration, script, step, exc) from None
        raise MigrationError(f"{script.where(step)}: {migration.label} step {step.number}: "
                             f"lock not granted after {self.options.lock_retries} attempts")

    def _execute_alone(self, conn: Connection, migration: Migration, script: Script,
                       step: Step) -> None:
        try:
            conn.execute(sql.SQL("SET lock_timeout = 0"))
            conn.execute(step.sql)
        except psycopg.Error as exc:
            raise _failed(migration, script, step, exc) from None
        finally:
            conn.execute(sql.SQL("SET lock_timeout = {}").format(
                sql.Literal(str(self.options.lock_timeout_ms))))


class _LockSpan:
    """When the advisory lock was acquired and released (monotonic seconds)."""

    __slots__ = ("acquired", "released")

    def __init__(self) -> None:
        self.acquired = 0.0
        self.released = 0.0

    def span(self) -> tuple[float, float]:
        return (self.acquired, self.released or time.monotonic())


def _failed(migration: Migration, script: Script, step: Step,
            exc: psycopg.Error) -> MigrationError:
    return MigrationError(f"{script.where(step)}: {migration.label} step {step.number} "
                          f"failed: {_first_line(exc)}")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
