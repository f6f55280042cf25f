"""Every collector pgwatch has, in the order a cycle runs them, and their capability checks.

A collector instance keeps per-target state (the statements collector remembers the query
ids whose text it has read), so the daemon makes one set per target with ``create``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pgwatch.collectors.activity import (
    ActivityCollector,
    BlockingCollector,
    ConnectionsCollector,
    LocksCollector,
)
from pgwatch.collectors.background import (
    BgwriterCollector,
    CheckpointerCollector,
    IoCollector,
    WalCollector,
)
from pgwatch.collectors.base import Collector, Skipped, TargetInfo
from pgwatch.collectors.bloat import BloatCollector, PgstattupleCollector
from pgwatch.collectors.database import DatabaseCollector, DatabaseSizeCollector
from pgwatch.collectors.indexes import (
    IndexesCollector,
    IndexFlagsCollector,
    IndexSizeCollector,
)
from pgwatch.collectors.kinds import Scope, scope_of
from pgwatch.collectors.mile_quest import TriggerTimingCollector, ViewRefreshCollector
from pgwatch.collectors.pgbouncer import (
    ClientsCollector,
    PoolsCollector,
    ServersCollector,
    StatsCollector,
)
from pgwatch.collectors.replication import (
    ReplicationCollector,
    ReplicationSlotsCollector,
    WalReceiverCollector,
)
from pgwatch.collectors.settings import SettingsCollector
from pgwatch.collectors.statements import StatementsCollector, StatementsInfoCollector
from pgwatch.collectors.tables import TablesCollector, TableSizeCollector
from pgwatch.collectors.vacuum import (
    AutovacuumCollector,
    VacuumProgressCollector,
    WraparoundCollector,
)
from pgwatch.errors import PgwatchError

# statements runs last: the text it reads at its first run then covers the statements every
# other collector ran in the same cycle, and the next cycle reads no text at all.
COLLECTOR_TYPES: tuple[type[Any], ...] = (
    DatabaseCollector, DatabaseSizeCollector,
    BgwriterCollector, CheckpointerCollector, WalCollector, IoCollector,
    TablesCollector, TableSizeCollector,
    IndexesCollector, IndexFlagsCollector, IndexSizeCollector,
    BloatCollector, PgstattupleCollector,
    VacuumProgressCollector, WraparoundCollector, AutovacuumCollector,
    ActivityCollector, ConnectionsCollector, BlockingCollector, LocksCollector,
    ReplicationCollector, ReplicationSlotsCollector, WalReceiverCollector,
    SettingsCollector,
    PoolsCollector, StatsCollector, ClientsCollector, ServersCollector,
    ViewRefreshCollector, TriggerTimingCollector,
    StatementsInfoCollector, StatementsCollector,
)

NAMES: tuple[str, ...] = tuple(str(t.name) for t in COLLECTOR_TYPES)
_BY_NAME: Mapping[str, type[Any]] = {str(t.name): t for t in COLLECTOR_TYPES}


def create(names: Iterable[str] | None = None,
           options: Mapping[str, Mapping[str, Any]] | None = None,
           *, where: str = "--only") -> list[Collector]:
    """Fresh collector instances (all, or ``names`` in registry order) for one target.

    ``options`` maps a collector name to keyword arguments of its constructor, e.g.
    ``{"pgstattuple": {"enabled": True, "max_bytes": 10**8}}``.
    """
    wanted = list(NAMES) if names is None else list(names)
    unknown = [n for n in wanted if n not in _BY_NAME]
    if unknown:
        raise PgwatchError(f"{where}: unknown collector {', '.join(unknown)} "
                           f"(known: {', '.join(NAMES)})")
    options = options or {}
    return [_BY_NAME[n](**options.get(n, {})) for n in NAMES if n in wanted]


def scope(name: str) -> Scope:
    """Whether a collector runs once per instance or in each database (see ``kinds``)."""
    return scope_of(_BY_NAME[name])


PER_DATABASE: tuple[str, ...] = tuple(n for n in NAMES if scope(n) is Scope.DATABASE)


def default_interval(name: str) -> float:
    """The default interval of a collector, in seconds."""
    return float(_BY_NAME[name].default_interval_s)


def missing(server: TargetInfo, collectors: Sequence[Collector] | None = None
            ) -> list[Skipped]:
    """The collectors that cannot run on ``server``, each with its reason."""
    skipped = []
    for collector in collectors if collectors is not None else create():
        reason = collector.missing(server)
        if reason is not None:
            skipped.append(Skipped(collector.name, reason))
    return skipped
