"""One collection cycle over one connection, with an error boundary around each collector.

``collect_once`` is what ``pgwatch collect --once`` runs and what the daemon's job runs for
one collector: a collector that fails (a statement timeout, a dropped extension, a bug)
is recorded with its name and reason, and the others go on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import psycopg

from pgwatch.collectors import registry
from pgwatch.collectors.base import (
    BouncerInfo,
    Collector,
    MissingCapabilityError,
    Skipped,
    Snapshot,
    TargetInfo,
)
from pgwatch.collectors.pgbouncer import is_pgbouncer, pgbouncer_connect, probe_bouncer
from pgwatch.db.probe import check_supported, probe
from pgwatch.db.session import SessionSettings, configure, describe, explain, parse_dsn
from pgwatch.errors import PgwatchError

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
                 collectors: Sequence[Collector], *, target: str = "") -> CycleResult:
    """Run each collector that can run on ``server``, in order, each behind its boundary.

    The session's own statement_timeout (``SessionSettings``) caps every statement.
    """
    require_read_only(conn, server)
    result = CycleResult([], [], [])
    for collector in collectors:
        outcome = run_collector(conn, server, collector, target=target)
        if isinstance(outcome, Snapshot):
            result.snapshots.append(outcome)
        elif isinstance(outcome, Skipped):
            result.skipped.append(outcome)
        else:
            result.errors.append(outcome)
    return result


def run_collector(conn: psycopg.Connection[Any], server: TargetInfo, collector: Collector,
                  *, target: str = "") -> Snapshot | Skipped | CollectorError:
    """One collector behind its error boundary: a snapshot, a skip, or an error."""
    reason = collector.missing(server)
    if reason is not None:
        return Skipped(collector.name, reason)
    taken_at = datetime.now(UTC)
    began = time.monotonic()
    try:
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


def require_read_only(conn: psycopg.Connection[Any], server: TargetInfo) -> None:
    """Refuse a PostgreSQL session that could write: collectors run in autocommit.

    PostgreSQL 14+ reports default_transaction_read_only to the client, so this costs no
    round trip. Autocommit (rather than a transaction per collector) sends no BEGIN, SET or
    COMMIT, which would otherwise be statements of their own in pg_stat_statements.
    """
    if isinstance(server, BouncerInfo):
        return
    if conn.info.parameter_status("default_transaction_read_only") != "on":
        raise PgwatchError("collectors need a read-only session: open it with "
                           "pgwatch.db.connect() (default_transaction_read_only = on)")


def collect_dsn(dsn: str, names: Sequence[str] | None = None, *, timeout_ms: int = 5_000,
                where: str = "--dsn") -> tuple[str, CycleResult]:
    """Connect to ``dsn`` (PostgreSQL or a PgBouncer console), run one cycle, disconnect.

    Returns a description of the target (no secret in it) and the cycle's result.
    """
    collectors = registry.create(names)
    parse_dsn(dsn, where)
    with pgbouncer_connect(dsn, where=where) as conn:
        server: TargetInfo
        if is_pgbouncer(conn):
            server = probe_bouncer(conn)
        else:
            configure(conn, SessionSettings(statement_timeout_ms=timeout_ms))
            server = check_supported(probe(conn), where)
        target = describe(dsn)
        return target, collect_once(conn, server, collectors, target=target)
