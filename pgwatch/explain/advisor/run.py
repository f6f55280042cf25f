"""One advice run against one database: read, plan, try, weigh; nothing is changed.

The session is read-only with a statement timeout; the only things created are hypopg's
hypothetical indexes, which live in the session's memory and are reset after each trial.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from pgwatch.db.probe import check_supported, probe
from pgwatch.db.session import SessionSettings, connect, describe, untracked
from pgwatch.explain.advisor.configuration import configuration_advice
from pgwatch.explain.advisor.hygiene import UsageEvidence, index_advice
from pgwatch.explain.advisor.hypothetical import Hypothetical
from pgwatch.explain.advisor.indexes import IndexOptions, advise_indexes
from pgwatch.explain.advisor.model import Analysed, Recommendation, Statement
from pgwatch.explain.advisor.planner import Planner, PlanningError, plannable
from pgwatch.explain.advisor.sources import (
    AdvisorError,
    attach_examples,
    extension_schema,
    fetch,
    sample_examples,
    top_statements,
)
from pgwatch.explain.advisor.statistics import statistics_advice
from pgwatch.explain.query import QueryError, analyse

log = logging.getLogger(__name__)
Connection = psycopg.Connection[Any]
CATALOG_SCHEMAS = ("pg_catalog", "information_schema")


@dataclass(frozen=True, slots=True)
class AdviseOptions:
    """How much the advisor reads and how sure it must be."""

    top: int = 50
    sample_seconds: float = 0.0
    statement_timeout_ms: int = 10_000
    unused_min_days: float = 7.0
    min_gain: float = 0.2
    max_indexes_per_table: int = 8


@dataclass(frozen=True, slots=True)
class Advice:
    """The recommendations for one database, best first, and what they rest on."""

    target: str
    server_version: str
    hypopg: bool
    statements_read: int
    statements_planned: int
    stats_age_s: float
    duration_s: float
    recommendations: tuple[Recommendation, ...]
    notes: tuple[str, ...] = field(default=())
    # A target with ``databases:``: the databases advised (each recommendation names its own).
    databases: tuple[str, ...] = field(default=())


def advise(dsn: str, options: AdviseOptions, *, where: str = "--dsn",
           usage: UsageEvidence | None = None) -> Advice:
    """Advise on the database at ``dsn``; AdvisorError when pg_stat_statements is missing."""
    began = time.monotonic()
    settings = SessionSettings(statement_timeout_ms=options.statement_timeout_ms)
    with connect(dsn, settings, where=where) as conn:
        conn.execute(sql.SQL("SET plan_cache_mode = force_custom_plan"))
        server = check_supported(probe(conn), where)
        pgss = extension_schema(conn, "pg_stat_statements")
        if pgss is None or not server.statements_loaded:
            raise AdvisorError(f"{where}: pg_stat_statements is not available in database "
                               f"{server.database!r} (it must be in shared_preload_libraries, "
                               "then CREATE EXTENSION pg_stat_statements)")
        own_untracked = untracked(conn)  # connect() keeps them out where it may
        statements = _statements(conn, pgss, options)
        planner = Planner(conn, server.major)
        analysed, notes = _analyse(planner, statements)
        if not own_untracked:
            notes.append("this role may not SET pg_stat_statements.track: the advisor's own "
                         "EXPLAINs are recorded there")
        hypopg = extension_schema(conn, "hypopg")
        trials = Hypothetical(conn, hypopg, planner) if hypopg is not None else None
        if trials is None:
            notes.append("hypopg is not installed: index advice is not validated")
        age = _stats_age(conn)
        sections: dict[str, Callable[[], list[Recommendation]]] = {
            "index advice": lambda: advise_indexes(conn, analysed, trials, IndexOptions(
                options.min_gain, options.max_indexes_per_table), age),
            "index hygiene": lambda: index_advice(
                conn, usage or UsageEvidence(age, "since the statistics reset"),
                options.unused_min_days),
            "configuration advice": lambda: configuration_advice(conn, server, pgss, age),
            "statistics advice": lambda: statistics_advice(conn, analysed),
        }
        found = []
        for name, section in sections.items():
            found += _guarded(name, section, notes, where)
    ranked = tuple(sorted(found, key=lambda r: -r.impact))
    return Advice(describe(dsn), server.version, trials is not None, len(statements),
                  len(analysed), age, time.monotonic() - began, ranked, tuple(notes))


def _guarded(name: str, section: Callable[[], list[Recommendation]], notes: list[str],
             where: str) -> list[Recommendation]:
    """One section's advice; a server error there is noted and the other sections go on."""
    try:
        return section()
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split())[:200]
        log.warning("%s: %s failed: %s", where, name, reason)
        notes.append(f"{name} failed: {reason}")
        return []


def _statements(conn: Connection, pgss: str, options: AdviseOptions) -> list[Statement]:
    read = top_statements(conn, pgss, options.top * 4)
    chosen = [s for s in read if plannable(s.query)][:options.top]
    if options.sample_seconds > 0 or chosen:
        chosen = attach_examples(chosen, sample_examples(conn, options.sample_seconds))
    return chosen


def _analyse(planner: Planner, statements: list[Statement]
             ) -> tuple[dict[str, Analysed], list[str]]:
    analysed: dict[str, Analysed] = {}
    notes: list[str] = []
    for statement in statements:
        try:
            analysis = analyse(statement.text)
        except QueryError:
            continue
        if not any(s.table.schema not in CATALOG_SCHEMAS and not s.table.name.startswith("pg_")
                   for s in analysis.sites):
            continue
        try:
            planned = planner.plan(statement.text, analysis)
        except PlanningError as exc:
            log.info("statement %s not planned: %s", statement.queryid, exc)
            notes.append(f"statement {statement.queryid} not planned: {exc}")
            continue
        analysed[statement.queryid] = Analysed(statement, analysis, planned.cost,
                                               planned.scans, statement.text)
    return analysed, notes


def _stats_age(conn: Connection) -> float:
    rows = fetch(conn, "stats_age")
    return float(rows[0]["age_s"] or 0.0) if rows else 0.0
