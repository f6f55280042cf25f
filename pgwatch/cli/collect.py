"""``pgwatch collect --once``: one collection cycle against a target, printed."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from pgwatch.collectors.base import as_mapping
from pgwatch.collectors.cycle import CycleResult, collect_dsn
from pgwatch.errors import PgwatchError


def register(app: typer.Typer) -> None:
    app.command("collect")(collect)


def collect(
    dsn: Annotated[str, typer.Option("--dsn", help="libpq DSN of PostgreSQL or of a "
                                     "PgBouncer admin console.")],
    once: Annotated[bool, typer.Option("--once", help="Run one cycle and exit.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print every row as JSON.")] = False,
    only: Annotated[str | None, typer.Option("--only", help="Comma-separated collector "
                                             "names.")] = None,
    timeout_ms: Annotated[int, typer.Option("--timeout-ms", min=1,
                                            help="statement_timeout per collector.")] = 5_000,
) -> None:
    """Run every collector once against one target; exit 1 when a collector failed."""
    if not once:
        raise PgwatchError("collect: pass --once (continuous collection is `pgwatch run`)")
    names = [n.strip() for n in only.split(",") if n.strip()] if only else None
    target, result = collect_dsn(dsn, names, timeout_ms=timeout_ms)
    typer.echo(render_json(target, result) if as_json else render_table(target, result))
    if result.errors:
        raise typer.Exit(1)


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
