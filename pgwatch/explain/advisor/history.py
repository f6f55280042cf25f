"""``pgwatch advise -c FILE``: every configured target, unused indexes judged on the store.

The store keeps the scan counter of the indexes it holds series for; an index whose counter
did not move over the whole window (``--unused-days``) is unused over that window, however
many scans it had before. Indexes without a series there are judged since the statistics
reset, as with ``--dsn``. An absent SQLite store is not created.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pgwatch.config import load_config, target_dsn
from pgwatch.config.models import Config
from pgwatch.explain.advisor.hygiene import UsageEvidence
from pgwatch.explain.advisor.run import Advice, AdviseOptions, advise

if TYPE_CHECKING:
    from pgwatch.store.base import Store

log = logging.getLogger(__name__)
SCANS_METRIC = "pgwatch_indexes_scans_total"


def advise_configured(path: Path, options: AdviseOptions) -> list[Advice]:
    config = load_config(path)
    found = []
    for index, target in enumerate(config.targets):
        usage = _usage(config, path, target.name, options.unused_min_days)
        found.append(advise(target_dsn(target, path.parent), options,
                            where=f"{path}: targets[{index}]", usage=usage))
    return found


def _usage(config: Config, path: Path, target: str, days: float) -> UsageEvidence | None:
    from pgwatch.store.configured import open_configured_store

    settings = config.store
    if settings.backend == "sqlite":
        where = settings.path if settings.path.is_absolute() else path.parent / settings.path
        if not where.exists():
            return None
    store = open_configured_store(config, path.parent)
    try:
        return store_usage(store, target, days, datetime.now(UTC))
    finally:
        store.close()


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
