"""``pgwatch collect --once``: one collection cycle against a target, printed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pgwatch.errors import PgwatchError

if TYPE_CHECKING:
    from pgwatch.collectors.cycle import CycleResult
    from pgwatch.discovery import DatabaseRule


@dataclass(frozen=True, slots=True)
class _Cycle:
    """One cycle to run: a server or a PgBouncer console, and the collectors to run on it."""

    name: str | None  # the configured target's name (None for --dsn)
    where: str
    dsn: str
    collectors: list[str] | None
    timeout_ms: int
    # A target with ``databases:``: its per-database collectors, run in each one discovered.
    databases: DatabaseRule | None = None
    per_database: tuple[str, ...] = ()


def register(app: typer.Typer) -> None:
    app.command("collect")(collect)


def collect(  # noqa: PLR0917 - one parameter per command-line option
    dsn: Annotated[str | None, typer.Option("--dsn", help="libpq DSN of PostgreSQL or of a "
                                            "PgBouncer admin console.")] = None,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="pgwatch config file: "
                                                "every target, its enabled collectors.")]
    = None,
    once: Annotated[bool, typer.Option("--once", help="Run one cycle and exit.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print every row as JSON.")] = False,
    only: Annotated[str | None, typer.Option("--only", help="Comma-separated collector "
                                             "names.")] = None,
    timeout_ms: Annotated[int, typer.Option("--timeout-ms", min=1,
                                            help="statement_timeout per collector.")] = 5_000,
) -> None:
    """Run every collector once against a target (or every configured target); exit 1 when a
    collector failed."""
    if not once:
        raise PgwatchError("collect: pass --once (continuous collection is `pgwatch run`)")
    if (dsn is None) == (config is None):
        raise PgwatchError("collect: give exactly one of --dsn or --config")
    from pgwatch.collectors.cycle import collect_dsn

    names = _only(only)
    failed, unreachable = False, False
    for cycle in _expand(_cycles(dsn, config, names, timeout_ms), as_json):
        try:
            described, result = collect_dsn(cycle.dsn, cycle.collectors,
                                            timeout_ms=cycle.timeout_ms, where=cycle.where)
        except PgwatchError as exc:
            if dsn is not None:
                raise
            typer.echo(f"pgwatch: error: {exc}", err=True)  # the other targets go on
            unreachable = True
            continue
        if as_json:
            typer.echo(render_json(cycle.name or described, result, server=described))
        else:
            typer.echo(render_table(f"{cycle.name}: {described}" if cycle.name else described,
                                    result))
        failed = failed or bool(result.errors)
    if unreachable or failed:
        raise typer.Exit(2 if unreachable else 1)


def _expand(cycles: Iterator[_Cycle], as_json: bool) -> Iterator[_Cycle]:
    """Each cycle, and after an instance's own one a cycle in each database it discovers."""
    from psycopg.conninfo import make_conninfo

    from pgwatch.discovery import discover_dsn, summary

    for cycle in cycles:
        yield cycle
        if cycle.databases is None:
            continue
        try:
            found = discover_dsn(cycle.dsn, cycle.databases, cycle.where, cycle.timeout_ms)
        except PgwatchError as exc:
            typer.echo(f"pgwatch: error: {exc}", err=True)
            continue
        if as_json:
            typer.echo(json.dumps({"target": cycle.name, "databases": {
                "watched": list(found.watched),
                "excluded": [{"name": n, "reason": r} for n, r in found.excluded]}}, indent=2))
        else:
            typer.echo("\n".join(summary(found)))
        for dbname in found.watched:
            yield _Cycle(f"{cycle.name} database {dbname}", f"{cycle.where}: database {dbname}",
                         make_conninfo(cycle.dsn, dbname=dbname), list(cycle.per_database),
                         cycle.timeout_ms)


def _only(only: str | None) -> list[str] | None:
    """The collectors --only names (None: every one); an empty or unknown name is an error."""
    if only is None:
        return None
    names = [n.strip() for n in only.split(",") if n.strip()]
    if not names:
        raise PgwatchError("collect: --only names no collector; give some, e.g. "
                           "--only tables,indexes (docs/collectors.md lists them)")
    from pgwatch.collectors import registry

    registry.create(names)  # raises naming --only and the unknown ones
    return names


def _cycles(dsn: str | None, config: Path | None, names: list[str] | None,
            timeout_ms: int) -> Iterator[_Cycle]:
    """Each cycle to run: one per server or pooler."""
    from pgwatch.collectors import registry
    from pgwatch.collectors.kinds import reads_pgbouncer
    from pgwatch.config import load_config, pgbouncer_dsn, target_dsn

    if dsn is not None:
        yield _Cycle(None, "--dsn", dsn, names, timeout_ms)
        return
    assert config is not None
    loaded = load_config(config)
    for index, target in enumerate(loaded.targets):
        enabled = [n for n in registry.NAMES if loaded.collector_for(target, n).enabled
                   and (names is None or n in names)]
        budget = round(loaded.connection_for(target).statement_timeout * 1000)
        where = f"{config}: targets[{index}]"
        server_side = [n for n in enabled if not reads_pgbouncer(n)]
        if target.databases is not None:
            per_database = tuple(n for n in server_side if n in registry.PER_DATABASE)
            yield _Cycle(target.name, where, target_dsn(target, config.parent),
                         [n for n in server_side if n not in per_database], budget,
                         target.databases.rule(), per_database)
        else:
            yield _Cycle(target.name, where, target_dsn(target, config.parent), server_side,
                         budget)
        bouncer = pgbouncer_dsn(target, config.parent)
        if bouncer is not None:
            yield _Cycle(f"{target.name} pgbouncer", f"{where}.pgbouncer", bouncer,
                         [n for n in enabled if reads_pgbouncer(n)], budget)


def render_table(target: str, result: CycleResult) -> str:
    """One line per collector: rows and duration, or why it was skipped or failed."""
    lines = [f"target {target}", f"{'collector':<22} {'status':<8} {'rows':>7} {'ms':>9}  note"]
    for snap in result.snapshots:
        lines.append(f"{snap.collector:<22} {'ok':<8} {len(snap.rows):>7} "
                     f"{snap.duration_s * 1000:>9.1f}")
    for skip in result.skipped:
        lines.append(f"{skip.collector:<22} {'skipped':<8} {'':>7} {'':>9}  {skip.reason}")
    for err in result.errors:
        lines.append(f"{err.collector:<22} {'error':<8} {'':>7} {err.duration_s * 1000:>9.1f}"
                     f"  {err.reason}")
    return "\n".join(lines)


def render_json(target: str, result: CycleResult, *, server: str | None = None) -> str:
    """Every row of every snapshot, plus skips and errors, as one JSON document.

    ``target`` is the configured name (or the server, for --dsn); ``server`` is
    ``user@host:port/dbname``.
    """
    from pgwatch.collectors.base import as_mapping

    document: dict[str, Any] = {
        "target": target,
        "server": server or target,
        "collectors": [{"name": s.collector, "taken_at": s.taken_at.isoformat(),
                        "duration_s": s.duration_s,
                        "rows": [as_mapping(r) for r in s.rows]} for s in result.snapshots],
        "skipped": [{"name": s.collector, "reason": s.reason} for s in result.skipped],
        "errors": [{"name": e.collector, "reason": e.reason, "duration_s": e.duration_s}
                   for e in result.errors],
    }
    return json.dumps(document, indent=2, default=str)
