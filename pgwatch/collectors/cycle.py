"""One collection cycle over one connection, with an error boundary around each collector.

``collect_once`` is what ``pgwatch collect --once`` runs and what the daemon's job runs for
one collector: a collector that fails (a statement timeout, a dropped extension, a bug)
is recorded with its name and reason, and the others go on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import psycopg
from psycopg import sql

from pgwatch.collectors.base import (
    BouncerInfo,
    Collector,
    MissingCapabilityError,
    Skipped,
    Snapshot,
    TargetInfo,
)
from pgwatch.db.probe import check_supported, probe
from pgwatch.db.session import SessionSettings, configure, describe, explain, parse_dsn

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CollectorError:
    """A collector that ran and failed on a target, and why (one line)."""

    collector: str
    reason: str
    duration_s: float


class CycleResult(NamedTuple):
    """What one cycle produced: snapshots, collectors skipped, collectors failed."""

    snapshots: list[Snapshot]
    skipped: list[Skipped]
    errors: list[CollectorError]


def collect_once(conn: psycopg.Connection[Any], server: TargetInfo,
                 collectors: Sequence[Collector], *, target: str = "",
                 timeout_ms: int | None = None) -> CycleResult:
    """Run each collector that can run on ``server``; ``timeout_ms`` caps each one."""
    result = CycleResult([], [], [])
    for collector in collectors:
        outcome = run_collector(conn, server, collector, target=target, timeout_ms=timeout_ms)
        if isinstance(outcome, Snapshot):
            result.snapshots.append(outcome)
        elif isinstance(outcome, Skipped):
            result.skipped.append(outcome)
        else:
            result.errors.append(outcome)
    return result


def run_collector(conn: psycopg.Connection[Any], server: TargetInfo, collector: Collector,
                  *, target: str = "", timeout_ms: int | None = None
                  ) -> Snapshot | Skipped | CollectorError:
    """One collector behind its error boundary: a snapshot, a skip, or an error."""
    reason = collector.missing(server)
    if reason is not None:
        return Skipped(collector.name, reason)
    taken_at = datetime.now(UTC)
    began = time.monotonic()
    try:
        with _guard(conn, server, timeout_ms):
            rows = tuple(collector.collect(conn, server))
    except MissingCapabilityError as exc:
        return Skipped(collector.name, str(exc))
    except psycopg.Error as exc:
        return _failed(collector, explain(exc), began)
    except Exception as exc:
        # A bug in one collector must not end the cycle; the traceback goes to the log.
        log.exception("collector %s raised", collector.name)
        return _failed(collector, f"{type(exc).__name__}: {exc}", began)
    return Snapshot(target=target, collector=collector.name, taken_at=taken_at,
                    duration_s=time.monotonic() - began, rows=rows,
                    row_type=collector.row_type)


def _failed(collector: Collector, reason: str, began: float) -> CollectorError:
    reason = " ".join(reason.split())
    log.warning("collector %s failed: %s", collector.name, reason)
    return CollectorError(collector.name, reason, time.monotonic() - began)


def _guard(conn: psycopg.Connection[Any], server: TargetInfo,
           timeout_ms: int | None) -> AbstractContextManager[None]:
    """A read-only transaction per collector on PostgreSQL; PgBouncer's console has none."""
    if isinstance(server, BouncerInfo):
        return nullcontext()
    return _read_only_transaction(conn, timeout_ms)


@contextmanager
def _read_only_transaction(conn: psycopg.Connection[Any], timeout_ms: int | None
                           ) -> Iterator[None]:
    # One round trip sets both; the transaction also gives the collector one consistent
    # view of the statistics (stats_fetch_consistency) and cannot write by accident.
    setup: sql.SQL | sql.Composed = sql.SQL("SET TRANSACTION READ ONLY")
    if timeout_ms is not None:
        setup = sql.SQL("SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = {}").format(
            sql.Literal(int(timeout_ms)))
    with conn.transaction():
        conn.execute(setup)
        yield


def collect_dsn(dsn: str, names: Sequence[str] | None = None, *, timeout_ms: int = 5_000,
                where: str = "--dsn") -> tuple[str, CycleResult]:
    """Connect to ``dsn`` (PostgreSQL or a PgBouncer console), run one cycle, disconnect.

    Returns a description of the target (no secret in it) and the cycle's result.
    """
    from pgwatch.collectors import registry
    from pgwatch.collectors.pgbouncer import is_pgbouncer, pgbouncer_connect, probe_bouncer

    collectors = registry.create(names)
    parse_dsn(dsn, where)
    with pgbouncer_connect(dsn) as conn:
        server: TargetInfo
        if is_pgbouncer(conn):
            server = probe_bouncer(conn)
        else:
            configure(conn, SessionSettings(statement_timeout_ms=timeout_ms))
            server = check_supported(probe(conn), where)
        target = describe(dsn)
        return target, collect_once(conn, server, collectors, target=target,
                                    timeout_ms=timeout_ms)
