"""Vacuum: what runs now, which tables are nearest wraparound, how busy autovacuum is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pgwatch.collectors.base import gauge, label
from pgwatch.collectors.kinds import Scope
from pgwatch.collectors.query import SqlCollector
from pgwatch.db.probe import ServerInfo

WRAPAROUND_TOP = 20


@dataclass(frozen=True, slots=True)
class VacuumProgressRow:
    """One VACUUM in progress."""

    pid: str = label("backend process id")
    datname: str = label("database")
    relname: str = label("table (its oid when in another database)")
    phase: str = label("vacuum phase")
    autovacuum: bool | None = gauge("1 when run by autovacuum")
    running_seconds: float | None = gauge("time since the vacuum's transaction began",
                                          "seconds")
    heap_blocks: int = gauge("heap blocks in the table", "blocks")
    heap_blocks_scanned: int = gauge("heap blocks scanned", "blocks")
    heap_blocks_vacuumed: int = gauge("heap blocks vacuumed", "blocks")
    index_vacuum_passes: int = gauge("index vacuum cycles completed")
    dead_tuples: int = gauge("dead tuples (item ids on 17+) collected")
    max_dead_tuples: int | None = gauge("dead tuples that fit before an index pass (< 17)",
                                        default=None)
    max_dead_tuple_bytes: float | None = gauge("dead tuple memory limit (17+)", "bytes",
                                               default=None)
    dead_tuple_bytes: float | None = gauge("dead tuple memory used (17+)", "bytes",
                                           default=None)
    indexes: int | None = gauge("indexes to vacuum (17+)", default=None)
    indexes_processed: int | None = gauge("indexes vacuumed (17+)", default=None)


@dataclass(frozen=True, slots=True)
class WraparoundRow:
    """A table near transaction-ID wraparound."""

    schemaname: str = label("schema")
    relname: str = label("table")
    frozenxid_age: int = gauge("age(relfrozenxid)")
    minmxid_age: int = gauge("mxid_age(relminmxid)")
    freeze_max_age: int = gauge("autovacuum_freeze_max_age in force for the table")
    freeze_max_age_ratio: float = gauge("frozenxid_age / freeze_max_age (1: forced vacuum)",
                                        "ratio")


@dataclass(frozen=True, slots=True)
class AutovacuumRow:
    """How busy the autovacuum workers are."""

    workers_busy: int = gauge("autovacuum workers running")
    workers_max: int = gauge("autovacuum_max_workers")
    launcher_running: bool = gauge("1 when the autovacuum launcher runs")
    enabled: bool = gauge("1 when autovacuum is on")


class VacuumProgressCollector(SqlCollector):
    name: ClassVar[str] = "vacuum_progress"
    default_interval_s: ClassVar[float] = 15.0
    row_type: ClassVar[type[Any]] = VacuumProgressRow
    roles: ClassVar[tuple[str, ...]] = ("pg_read_all_stats",)


class WraparoundCollector(SqlCollector):
    """The ``limit`` tables with the oldest relfrozenxid."""

    name: ClassVar[str] = "wraparound"
    scope: ClassVar[Scope] = Scope.DATABASE
    default_interval_s: ClassVar[float] = 300.0
    row_type: ClassVar[type[Any]] = WraparoundRow

    def __init__(self, limit: int = WRAPAROUND_TOP) -> None:
        self.limit = limit

    def params(self, server: ServerInfo) -> Mapping[str, Any]:
        return {"limit": self.limit}


class AutovacuumCollector(SqlCollector):
    name: ClassVar[str] = "autovacuum"
    default_interval_s: ClassVar[float] = 30.0
    row_type: ClassVar[type[Any]] = AutovacuumRow
