"""Configuration advice from what pgwatch measures, each with its evidence and the exact SQL.

work_mem from temporary files, track_io_timing off, max_wal_size from requested
checkpoints, pg_stat_statements.max from evicted entries, JIT on short statements, and
per-table autovacuum settings for large tables whose dead or inserted rows pile up.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from pgwatch.db.probe import ServerInfo
from pgwatch.explain.advisor.ddl import alter_system, alter_table
from pgwatch.explain.advisor.model import SETTING, TABLE_SETTING, Recommendation
from pgwatch.explain.advisor.sources import statements_info
from pgwatch.sql import load_sql

Connection = psycopg.Connection[Any]
PACKAGE = "pgwatch.explain.advisor"
LARGE_TABLE_ROWS = 1_000_000
DEAD_SHARE = 0.1
SHORT_STATEMENT_MS = 100.0
MB = 1024 * 1024


def _rows(conn: Connection, name: str, server: ServerInfo, params: dict[str, Any] | None = None,
          **identifiers: sql.Composable) -> list[dict[str, Any]]:
    text = load_sql(PACKAGE, name, server.version_num)
    query = sql.SQL(text).format(**identifiers) if identifiers else sql.SQL(text)
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        cur.execute(query, params)
        return cur.fetchall()


def configuration_advice(conn: Connection, server: ServerInfo, pgss: str,
                         stats_age_s: float) -> list[Recommendation]:
    settings = {r["name"]: r for r in _rows(conn, "settings_now", server)}
    found = [*_work_mem(conn, server, settings), *_io_timing(settings),
             *_checkpoints(conn, server, settings), *_pgss_max(conn, pgss, settings),
             *_jit(conn, server, pgss, settings), *_autovacuum(conn, server)]
    return found


def _setting(settings: dict[str, Any], name: str) -> str:
    return str(settings.get(name, {}).get("setting", ""))


def _work_mem(conn: Connection, server: ServerInfo, settings: dict[str, Any]
              ) -> list[Recommendation]:
    rows = _rows(conn, "temp_files", server)
    if not rows or not rows[0]["temp_files"]:
        return []
    files, total = int(rows[0]["temp_files"]), float(rows[0]["temp_bytes"])
    current_kb = int(_setting(settings, "work_mem") or 4096)
    average = total / files
    if average <= current_kb * 1024:
        return []
    wanted_mb = 1
    while wanted_mb * MB < average and wanted_mb < 1024:
        wanted_mb *= 2
    if wanted_mb * 1024 <= current_kb:
        return []
    return [Recommendation(
        SETTING, alter_system("work_mem", f"{wanted_mb}MB"),
        f"{files} temporary files of {average / MB:.1f} MB on average: sorts and hashes spill "
        f"past work_mem ({current_kb // 1024} MB); raise it where memory allows (it is per "
        "sort or hash node, per session)", min(50.0, total / (100 * MB)), True, (), "medium",
        {"temp_files": files, "temp_bytes": int(total), "work_mem_kb": current_kb})]


def _io_timing(settings: dict[str, Any]) -> list[Recommendation]:
    if _setting(settings, "track_io_timing") != "off":
        return []
    return [Recommendation(SETTING, alter_system("track_io_timing", "on"),
                           "track_io_timing is off: statement and table I/O times are not "
                           "measured (the cost is small on current hardware; "
                           "pg_test_timing tells)", 5.0, True, (), "high",
                           {"track_io_timing": "off"})]


def _checkpoints(conn: Connection, server: ServerInfo, settings: dict[str, Any]
                 ) -> list[Recommendation]:
    rows = _rows(conn, "checkpoints", server)
    if not rows:
        return []
    timed, requested = int(rows[0]["timed"]), int(rows[0]["requested"])
    if requested < 5 or requested <= timed:
        return []
    current_mb = int(_setting(settings, "max_wal_size") or 1024)
    return [Recommendation(SETTING, alter_system("max_wal_size", f"{current_mb * 2}MB"),
                           f"{requested} checkpoints were requested (WAL reached max_wal_size "
                           f"{current_mb} MB) against {timed} on schedule: more full-page "
                           "writes and I/O bursts", 10.0 * requested / max(1, timed + requested),
                           True, (), "medium", {"checkpoints_requested": requested,
                                                "checkpoints_timed": timed,
                                                "max_wal_size_mb": current_mb})]


def _pgss_max(conn: Connection, pgss: str, settings: dict[str, Any]) -> list[Recommendation]:
    info = statements_info(conn, pgss)
    dealloc = int(info.get("dealloc") or 0)
    if dealloc == 0:
        return []
    current = int(_setting(settings, "pg_stat_statements.max") or 5000)
    return [Recommendation(SETTING, alter_system("pg_stat_statements.max", str(current * 2)),
                           f"pg_stat_statements evicted entries {dealloc} times (max {current}):"
                           " statistics of the evicted statements are lost (restart needed)",
                           8.0, True, (), "high", {"dealloc": dealloc, "max": current})]


def _jit(conn: Connection, server: ServerInfo, pgss: str, settings: dict[str, Any]
         ) -> list[Recommendation]:
    if _setting(settings, "jit") != "on":
        return []
    rows = _rows(conn, "jit_statements", server, {"short_ms": SHORT_STATEMENT_MS},
                 pgss=sql.Identifier(pgss, "pg_stat_statements"))
    if not rows:
        return []
    jit_ms, exec_ms = float(rows[0]["jit_ms"]), float(rows[0]["exec_ms"])
    if jit_ms <= 0 or exec_ms <= 0 or jit_ms < 0.1 * exec_ms:
        return []
    above = float(_setting(settings, "jit_above_cost") or 100000)
    return [Recommendation(SETTING, alter_system("jit_above_cost", str(int(above * 10))),
                           f"{rows[0]['statements']} statements shorter than "
                           f"{SHORT_STATEMENT_MS:.0f} ms spent {jit_ms:.0f} ms compiling (JIT), "
                           f"{jit_ms / exec_ms:.0%} of their time: JIT only where it pays",
                           jit_ms / 1000.0, True, (), "medium",
                           {"jit_ms": round(jit_ms, 1), "exec_ms": round(exec_ms, 1),
                            "jit_above_cost": above})]


def _autovacuum(conn: Connection, server: ServerInfo) -> list[Recommendation]:
    found = []
    for row in _rows(conn, "dead_tuples", server, {"min_rows": LARGE_TABLE_ROWS}):
        live, dead, inserted = float(row["live"]), float(row["dead"]), float(row["inserted"])
        own = {o.split("=", 1)[0] for o in row["options"]}
        options: dict[str, float | int] = {}
        if dead >= DEAD_SHARE * live and "autovacuum_vacuum_scale_factor" not in own:
            options["autovacuum_vacuum_scale_factor"] = 0.02
            options["autovacuum_analyze_scale_factor"] = 0.01
        if (inserted >= DEAD_SHARE * live
                and "autovacuum_vacuum_insert_scale_factor" not in own):
            options["autovacuum_vacuum_insert_scale_factor"] = 0.02
        if not options:
            continue
        found.append(Recommendation(
            TABLE_SETTING, alter_table(row["schema"], row["table"], options),
            f"{row['schema']}.{row['table']}: {live:.0f} live rows, {dead:.0f} dead and "
            f"{inserted:.0f} inserted since the last vacuum; the default 20 % scale factor "
            "waits too long on a table this size", 3.0 + (dead + inserted) / max(live, 1.0),
            True, (), "medium", {"live": live, "dead": dead, "inserted_since_vacuum": inserted}))
    return found
