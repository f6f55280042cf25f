"""``pgwatch collect --once``: one collection cycle against a target, printed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from pgwatch.collectors import registry
from pgwatch.collectors.base import as_mapping
from pgwatch.collectors.cycle import CycleResult, collect_dsn
from pgwatch.collectors.kinds import reads_pgbouncer
from pgwatch.config import load_config, pgbouncer_dsn, target_dsn
from pgwatch.errors import PgwatchError


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
        raise typer.BadParameter("give exactly one of --dsn or --config", param_hint="--dsn")
    names = [n.strip() for n in only.split(",") if n.strip()] if only else None
    failed, unreachable = False, False
    for where, target_dsn_, wanted, budget_ms in _cycles(dsn, config, names, timeout_ms):
        try:
            target, result = collect_dsn(target_dsn_, wanted, timeout_ms=budget_ms, where=where)
        except PgwatchError as exc:
            if dsn is not None:
                raise
            typer.echo(f"pgwatch: error: {exc}", err=True)  # the other targets go on
            unreachable = True
            continue
        typer.echo(render_json(target, result) if as_json else render_table(target, result))
        failed = failed or bool(result.errors)
    if unreachable or failed:
        raise typer.Exit(2 if unreachable else 1)


def _cycles(dsn: str | None, config: Path | None, names: list[str] | None,
            timeout_ms: int) -> Iterator[tuple[str, str, list[str] | None, int]]:
    """(where, DSN, collectors, timeout) of each cycle to run: one per server or pooler."""
    if dsn is not None:
        yield "--dsn", dsn, names, timeout_ms
        return
    assert config is not None
    loaded = load_config(config)
    for index, target in enumerate(loaded.targets):
        enabled = [n for n in registry.NAMES if loaded.collector_for(target, n).enabled
                   and (names is None or n in names)]
        budget = round(loaded.connection_for(target).statement_timeout * 1000)
        where = f"{config}: targets[{index}]"
        yield (where, target_dsn(target, config.parent),
               [n for n in enabled if not reads_pgbouncer(n)], budget)
        bouncer = pgbouncer_dsn(target, config.parent)
        if bouncer is not None:
            yield (f"{where}.pgbouncer", bouncer, [n for n in enabled if reads_pgbouncer(n)],
                   budget)


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


def render_json(target: str, result: CycleResult) -> str:
    """Every row of every snapshot, plus skips and errors, as one JSON document."""
    document: dict[str, Any] = {
        "target": target,
        "collectors": [{"name": s.collector, "taken_at": s.taken_at.isoformat(),
                        "duration_s": s.duration_s,
                        "rows": [as_mapping(r) for r in s.rows]} for s in result.snapshots],
        "skipped": [{"name": s.collector, "reason": s.reason} for s in result.skipped],
        "errors": [{"name": e.collector, "reason": e.reason, "duration_s": e.duration_s}
                   for e in result.errors],
    }
    return json.dumps(document, indent=2, default=str)
