"""``pgwatch advise -c FILE``: every configured target, unused indexes judged on the store.

The store keeps the scan counter of the indexes it holds series for; an index whose counter
did not move over the whole window (``--unused-days``) is unused over that window, however
many scans it had before. Indexes without a series there are judged since the statistics
reset, as with ``--dsn``. An absent SQLite store is not created.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from psycopg.conninfo import conninfo_to_dict

from pgwatch.config import load_config, target_dsn
from pgwatch.config.models import Config, TargetConfig
from pgwatch.discovery import discover_dsn
from pgwatch.errors import ConfigError
from pgwatch.explain.advisor.databases import advise_databases
from pgwatch.explain.advisor.hygiene import UsageEvidence
from pgwatch.explain.advisor.run import Advice, AdviseOptions, advise

if TYPE_CHECKING:
    from pgwatch.store.base import Store

log = logging.getLogger(__name__)
SCANS_METRIC = "pgwatch_indexes_scans_total"


def advise_configured(path: Path, options: AdviseOptions, database: str | None = None
                      ) -> list[Advice]:
    """Every target of ``path`` (a target with ``databases:``: each database it watches), or
    only the targets that watch ``database`` and only there; ConfigError when none does."""
    config = load_config(path)
    plans = [_plan(path, index, target, options) for index, target in enumerate(config.targets)]
    if database is not None:
        watched = ", ".join(sorted({n for plan in plans for n in plan.databases})) or "none"
        plans = [replace(plan, databases=(database,)) for plan in plans
                 if database in plan.databases]
        if not plans:
            raise ConfigError(f"--database: no target of {path} watches database {database!r}"
                              f" (watched: {watched})")
    store = _open_store(config, path)
    try:
        return [_advise(plan, options, store) for plan in plans]
    finally:
        if store is not None:
            store.close()


@dataclass(frozen=True, slots=True)
class _Plan:
    """One target to advise: where, and in which databases (one, its own, without
    ``databases:``)."""

    where: str
    target: str
    dsn: str
    databases: tuple[str, ...]
    discovered: bool


def _plan(path: Path, index: int, target: TargetConfig, options: AdviseOptions) -> _Plan:
    dsn, where = target_dsn(target, path.parent), f"{path}: targets[{index}]"
    if target.databases is None:
        params = conninfo_to_dict(dsn)
        own = str(params.get("dbname") or params.get("user") or "")
        return _Plan(where, target.name, dsn, (own,), discovered=False)
    found = discover_dsn(dsn, target.databases.rule(), where, options.statement_timeout_ms)
    return _Plan(where, target.name, dsn, found.watched, discovered=True)


def _advise(plan: _Plan, options: AdviseOptions, store: Store | None) -> Advice:
    def usage_for(datname: str | None) -> UsageEvidence | None:
        if store is None:
            return None
        return store_usage(store, plan.target, options.unused_min_days, datetime.now(UTC),
                           datname)

    if not plan.discovered:
        return advise(plan.dsn, options, where=plan.where, usage=usage_for(None))
    return advise_databases(plan.dsn, plan.where, plan.databases, options, usage_for)


def _open_store(config: Config, path: Path) -> Store | None:
    """The configured store, when there is one to read (an absent SQLite file is not made)."""
    from pgwatch.store.configured import open_configured_store

    settings = config.store
    if settings.backend == "sqlite":
        where = settings.path if settings.path.is_absolute() else path.parent / settings.path
        if not where.exists():
            return None
    return open_configured_store(config, path.parent)


def store_usage(store: Store, target: str, days: float, now: datetime,
                datname: str | None = None) -> UsageEvidence | None:
    """The scans of ``target``'s indexes over the period the store covers (up to twice
    ``days``), for ``advise(usage=...)``; None when the store holds no scan series.
    ``datname``: of one database among those a target with ``databases:`` watches."""
    from pgwatch.store.query import History

    # Twice the period asked for: the evidence then covers it when the history does.
    window = timedelta(days=max(days, 1.0) * 2)
    labels = {"target": target} if datname is None else {"target": target, "datname": datname}
    values = History(store).increase(SCANS_METRIC, labels, window, now)
    series = store.series(SCANS_METRIC, labels, now - window, now)
    if not values:
        return None
    oldest = min(s.points[0].ts for s in series if s.points)
    scans = {(dict(v.labels).get("schemaname", ""), dict(v.labels).get("indexrelname", "")):
             v.value for v in values}
    return UsageEvidence(now.timestamp() - oldest, "store history", scans)
