"""A report source over the daemon's store: the newest rows it collected, and its history.

``Store.latest`` answers from memory inside the daemon (its newest snapshot of each
collector); another process gets the newest stored per-object snapshot, which may be hours
old, so the newer points of every series the store holds (the top objects, small views,
aggregates) are laid over those rows: the figures are the newest the daemon collected.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pgwatch.alerting.model import Alert
from pgwatch.collectors import registry
from pgwatch.collectors.naming import object_labels
from pgwatch.daemon.databases import in_database
from pgwatch.report.database_advice import advise_databases
from pgwatch.report.datnames import REPORTED, databases_in, per_database
from pgwatch.report.plans import QueryPlans
from pgwatch.report.source import AdviceResult, ReportError, Rows, run_advisor
from pgwatch.sql import load_sql
from pgwatch.store.base import Store
from pgwatch.store.layout import layout_of
from pgwatch.store.model import Event, Labels, Series, SeriesKind
from pgwatch.store.policy import StorePolicy

if TYPE_CHECKING:
    from pgwatch.config.models import Config
    from pgwatch.explain.advisor.hygiene import UsageEvidence
    from pgwatch.explain.findings.model import Finding

_STORE_TABLES = frozenset({"schema_version", "metrics", "objects", "series", "samples"})
_Newest = dict[Labels, dict[str, tuple[int, float]]]


class StoreSource:
    """The rows, series and alerts the daemon stored for one target."""

    mode = "store"
    history = True

    def __init__(self, store: Store, target: str, dsn: str | None, *, where: str,
                 now: datetime | None = None, owns_store: bool = False) -> None:
        self.store = store
        self.target = target
        self.dsn = dsn
        self.where = where
        self.now = now or datetime.now(UTC)
        self.owns_store = owns_store
        self._rows: dict[str, tuple[Rows, datetime | None]] = {}
        self._advice: AdviceResult | None = None
        self._plans = None if dsn is None else QueryPlans(dsn, where)
        self.server_version = self._version()

    def rows(self, collector: str) -> Rows:
        return self._read(collector)[0]

    def taken_at(self, collector: str) -> datetime | None:
        return self._read(collector)[1]

    def not_collected(self) -> Mapping[str, str]:
        return {name: "no rows in the store for this target (not collected, or skipped)"
                for name in registry.NAMES if not self.rows(name)}

    def series(self, metric: str, labels: Mapping[str, str], since: datetime,
               until: datetime) -> list[Series]:
        return self.store.series(metric, {"target": self.target, **labels}, since, until)

    def alerts(self) -> Sequence[Alert]:
        """The stored alerts of this target (and those of no target, such as pgwatch's own)."""
        alerts, _sent = self.store.alert_state()
        return [a for a in alerts if dict(a.labels).get("target", self.target) == self.target]

    def alert_events(self, since: datetime, until: datetime) -> Sequence[Event]:
        """This target's alert history events in the window (and those of no target)."""
        from pgwatch.alerting.history import KINDS

        return [e for kind in KINDS for e in self.store.events(None, kind, since, until)
                if e.target in (self.target, "")]

    def advice(self) -> AdviceResult:
        if self._advice is None:
            databases = self._databases()
            if self.dsn is None:
                self._advice = AdviceResult(None, "the target's DSN is not known here")
            elif databases:
                self._advice = advise_databases(self.dsn, self.where, databases, self._usage)
            else:
                self._advice = run_advisor(self.dsn, self.where, self._usage())
        return self._advice

    def _databases(self) -> list[str]:
        """The databases a target with ``databases:`` watches, largest first (else none)."""
        names = databases_in(r for name in REPORTED for r in self.rows(name))
        sizes = {r.get("datname"): r.get("size_bytes") or 0 for r in self.rows("database_size")}
        return sorted(names, key=lambda n: (-float(sizes.get(n) or 0), n))

    def _usage(self, datname: str | None = None) -> UsageEvidence | None:
        """Index scans over the advisor's period as the store holds them."""
        from pgwatch.explain.advisor.history import store_usage
        from pgwatch.explain.advisor.run import AdviseOptions

        return store_usage(self.store, self.target, AdviseOptions().unused_min_days, self.now,
                           datname)

    def plan_findings(self, query: str, datname: str | None = None
                      ) -> tuple[Finding, ...] | str:
        if self._plans is None:
            return "the target's DSN is not known here"
        return self._plans.findings(query, datname)

    def close(self) -> None:
        if self._plans is not None:
            self._plans.close()
        if self.owns_store:
            self.store.close()

    def _version(self) -> str:
        for row in self.rows("settings"):
            if row.get("name") == "server_version":
                return str(row.get("setting"))
        return "unknown"

    def _read(self, collector: str) -> tuple[Rows, datetime | None]:
        found = self._rows.get(collector)
        if found is None:
            latest = self.store.latest(self.target, collector)
            if latest is None:
                found = ((), None)
            else:
                found = self._overlaid(collector, latest.rows, latest.taken_at)
            self._rows[collector] = found
        return found

    def _overlaid(self, collector: str, rows: Rows, taken_at: datetime
                  ) -> tuple[Rows, datetime]:
        """``rows`` with each number replaced by a newer stored point of its series."""
        row_type = registry.create([collector])[0].row_type
        if per_database(rows):  # a sweep's rows: their series carry datname too
            row_type = in_database(row_type)
        layout = layout_of(row_type, collector, StorePolicy())
        newest = _newest_points(self.store, self.target, layout.values, taken_at, self.now)
        if not newest:
            return rows, taken_at
        merged = []
        for row in rows:
            key = tuple(sorted(object_labels(layout.label_fields,
                                             (row.get(n) for n in layout.label_fields))))
            update = newest.get(key)
            merged.append({**row, **{f: v for f, (_ts, v) in update.items()}} if update
                          else row)
        last = max(ts for fields in newest.values() for ts, _v in fields.values())
        return tuple(merged), max(taken_at, datetime.fromtimestamp(last, UTC))


def _newest_points(store: Store, target: str, values: Sequence[Any], after: datetime,
                   now: datetime) -> _Newest:
    found: _Newest = {}
    since = after + timedelta(seconds=1)
    for field in values:
        if field.kind is SeriesKind.RESET:
            continue
        for series in store.series(field.metric, {"target": target}, since, now):
            last = series.last()
            if last is not None and not any(b > last.ts for b in series.breaks):
                found.setdefault(series.labels, {})[field.name] = (last.ts, last.value)
    return found


def open_source(config_path: Path, target_name: str | None, now: datetime) -> StoreSource:
    """The store a configuration names, for one of its targets; nothing is created."""
    from pgwatch.config import load_config, target_dsn
    from pgwatch.store.configured import open_configured_store

    config = load_config(config_path)
    index, target = _pick_target(config, config_path, target_name)
    _require_store(config, config_path)
    store = open_configured_store(config, config_path.parent)
    where = f"{config_path}: targets[{index}]"
    return StoreSource(store, target.name, target_dsn(target, config_path.parent),
                       where=where, now=now, owns_store=True)


def _pick_target(config: Config, path: Path, name: str | None) -> tuple[int, Any]:
    for index, target in enumerate(config.targets):
        if name is None or target.name == name:
            return index, target
    known = ", ".join(t.name for t in config.targets)
    raise ReportError(f"--target: {path} has no target {name!r} (targets: {known})")


def _require_store(config: Config, path: Path) -> None:
    settings = config.store
    if settings.backend != "sqlite":
        return
    where = settings.path if settings.path.is_absolute() else path.parent / settings.path
    if not where.is_file():
        raise ReportError(f"{path}: store.path: no pgwatch store at {where} (pgwatch run "
                          "creates it as it collects)")
    with where.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise ReportError(f"{where}: not a pgwatch store (not an SQLite database)")
    # Opening the store would migrate it: another program's database must stay untouched.
    try:
        with closing(sqlite3.connect(f"{where.resolve().as_uri()}?mode=ro", uri=True)) as db:
            found = db.execute(load_sql(__package__ or "pgwatch.report", "store_tables"))
            names = {str(r[0]) for r in found}
    except sqlite3.Error as exc:
        raise ReportError(f"{where}: not a pgwatch store ({exc})") from None
    if not names >= _STORE_TABLES:
        raise ReportError(f"{where}: not a pgwatch store (no {', '.join(sorted(_STORE_TABLES))}"
                          " tables)")
