"""Mile Quest's own instrumentation, from the tables migration 0003 writes.

``mv_refresh_log`` records every materialized-view refresh and ``trigger_performance_log``
a sample of trigger timings; these collectors turn them into rows. A database without
migration 0003 (or a role that may not read the tables) skips them with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import psycopg

from pgwatch.collectors.base import MissingCapabilityError, TargetInfo, counter, gauge, label
from pgwatch.collectors.kinds import Scope
from pgwatch.collectors.query import SqlCollector, as_server, build_rows, fetch
from pgwatch.db.probe import ServerInfo


@dataclass(frozen=True, slots=True)
class ViewRefreshRow:
    """One materialized view and its refreshes."""

    view_name: str = label("materialized view (schema public)")
    refreshes_total: int = counter("refreshes logged")
    failures_total: int = counter("refreshes that failed")
    refresh_seconds_total: float = counter("time spent refreshing", "seconds")
    last_refresh_seconds: float | None = gauge("duration of the last refresh", "seconds")
    last_refresh_success: bool | None = gauge("1 when the last refresh succeeded")
    last_refresh_timestamp_seconds: float | None = gauge("when the last refresh finished",
                                                         "seconds")
    last_success_timestamp_seconds: float | None = gauge(
        "when the last successful refresh finished", "seconds")
    staleness_seconds: float | None = gauge("time since the last successful refresh",
                                            "seconds")
    pending_request_seconds: float | None = gauge("age of a queued refresh request", "seconds")
    populated: bool = gauge("1 when the view holds data")


@dataclass(frozen=True, slots=True)
class TriggerTimingRow:
    """Sampled timings of one trigger on one table and operation."""

    trigger_name: str = label("trigger function as logged")
    table_name: str = label("table")
    operation: str = label("INSERT, UPDATE or DELETE")
    sampled_calls_total: int = counter("calls logged (a sample, plus every slow call)")
    sampled_seconds_total: float = counter("time of the logged calls", "seconds")
    slow_calls_total: int = counter("calls over mile_quest.slow_trigger_ms")
    mean_seconds_last_hour: float | None = gauge("mean logged time, last hour", "seconds")
    max_seconds_last_hour: float | None = gauge("longest logged time, last hour", "seconds")
    last_logged_timestamp_seconds: float | None = gauge("when a call was last logged",
                                                        "seconds")


def require_log_tables(conn: psycopg.Connection[Any], server: ServerInfo) -> None:
    """Raise MissingCapabilityError unless migration 0003's tables exist and can be read."""
    checks = fetch(conn, "mile_quest_check", server)
    absent = [str(c["name"]) for c in checks if not c["present"]]
    if absent:
        raise MissingCapabilityError(f"{', '.join(absent)} not found in database "
                                f"{server.database!r} (apply Mile Quest migration 0003: "
                                "pgwatch migrate up)")
    unreadable = [str(c["name"]) for c in checks if not c["readable"]]
    if unreadable:
        raise MissingCapabilityError(f"role {server.role!r} may not read {', '.join(unreadable)} "
                                f"(GRANT SELECT ON {', '.join(unreadable)} TO {server.role})")


class _MileQuestCollector(SqlCollector):
    default_interval_s: ClassVar[float] = 60.0

    def collect(self, conn: psycopg.Connection[Any], server: TargetInfo) -> Sequence[Any]:
        pg = as_server(server)
        require_log_tables(conn, pg)
        return build_rows(self.row_type, fetch(conn, self.name, pg))


class ViewRefreshCollector(_MileQuestCollector):
    name: ClassVar[str] = "mile_quest_views"
    scope: ClassVar[Scope] = Scope.DATABASE
    row_type: ClassVar[type[Any]] = ViewRefreshRow


class TriggerTimingCollector(_MileQuestCollector):
    name: ClassVar[str] = "mile_quest_triggers"
    scope: ClassVar[Scope] = Scope.DATABASE
    row_type: ClassVar[type[Any]] = TriggerTimingRow
