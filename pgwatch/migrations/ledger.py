"""The runner's bookkeeping: applied migrations with checksums, and finished steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row

from pgwatch.sql import load_sql

_PACKAGE = "pgwatch.migrations"

Connection = psycopg.Connection[Any]


@dataclass(frozen=True, slots=True)
class Applied:
    """A migration recorded as applied."""

    version: int
    name: str
    up_checksum: str
    down_checksum: str
    applied_at: datetime
    duration_ms: float


@dataclass(frozen=True, slots=True)
class DoneStep:
    """A finished step of a migration that is not complete yet."""

    version: int
    direction: str
    step: int
    checksum: str


@dataclass(frozen=True, slots=True)
class Ledger:
    """What the database says was applied; empty when `up` never ran there."""

    present: bool
    applied: tuple[Applied, ...]
    done_steps: tuple[DoneStep, ...]

    def applied_versions(self) -> list[int]:
        """Versions recorded as applied, ascending."""
        return [row.version for row in self.applied]

    def finished(self, version: int, direction: str) -> set[int]:
        """Numbers of the steps of one migration direction already finished."""
        return {s.step for s in self.done_steps
                if s.version == version and s.direction == direction}


def query(name: str) -> str:
    """The text of one of the runner's own SQL files."""
    return load_sql(_PACKAGE, name)


def read(conn: Connection) -> Ledger:
    """Read the bookkeeping tables, or an empty ledger when they do not exist."""
    with conn.cursor(row_factory=dict_row) as cur:
        present = cur.execute(query("ledger_exists")).fetchone()
        if present is None or not present["present"]:
            return Ledger(False, (), ())
        applied = tuple(Applied(**row) for row in cur.execute(query("ledger_applied")))
        steps = tuple(DoneStep(**row) for row in cur.execute(query("ledger_steps")))
    return Ledger(True, applied, steps)


def create(conn: Connection) -> None:
    """Create the bookkeeping schema and tables when missing."""
    with conn.transaction():
        conn.execute(query("ledger_create"))


def step_done(conn: Connection, version: int, direction: str, step: int, checksum: str) -> None:
    """Record one finished step (inside the step's own transaction when it has one)."""
    conn.execute(query("ledger_step_done"), {"version": version, "direction": direction,
                                             "step": step, "checksum": checksum})


def record_up(conn: Connection, version: int, name: str, checksums: tuple[str, str],
              duration_ms: float) -> None:
    """Mark a migration applied and forget its step progress, atomically."""
    with conn.transaction():
        conn.execute(query("ledger_record_up"), {
            "version": version, "name": name, "up_checksum": checksums[0],
            "down_checksum": checksums[1], "duration_ms": duration_ms})
        conn.execute(query("ledger_clear_steps"), {"version": version})


def record_down(conn: Connection, version: int) -> None:
    """Mark a migration reverted and forget its step progress, atomically."""
    with conn.transaction():
        conn.execute(query("ledger_record_down"), {"version": version})
        conn.execute(query("ledger_clear_steps"), {"version": version})
