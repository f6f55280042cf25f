"""What kind of collector each is: where it reads from, and how far its view reaches.

PgBouncer collectors share a name prefix; the daemon routes them to the target's
``pgbouncer.dsn`` and ``pgwatch doctor`` leaves them out of a PostgreSQL server's report.

A collector is instance-wide (its view shows the whole server: statements, activity, WAL)
unless its class declares ``scope = Scope.DATABASE`` (its view shows the connected
database only: tables, indexes, bloat). On a target that discovers databases, a
per-database collector runs in each of them and its rows carry a ``datname`` label.
"""

from __future__ import annotations

import enum
from typing import Any

BOUNCER_PREFIX = "pgbouncer_"


class Scope(enum.StrEnum):
    """How far one run of a collector sees."""

    INSTANCE = "instance"
    DATABASE = "database"


def reads_pgbouncer(collector: str) -> bool:
    return collector.startswith(BOUNCER_PREFIX)


def scope_of(collector_type: type[Any]) -> Scope:
    """The scope a collector class declares (instance-wide unless it says otherwise)."""
    return Scope(getattr(collector_type, "scope", Scope.INSTANCE))
