"""``pgwatch explain``: read a plan (file, stdin or a live server) and print its findings."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pgwatch.errors import PgwatchError

if TYPE_CHECKING:
    from pgwatch.explain.findings import Context
    from pgwatch.explain.plan import Plan


def register(app: typer.Typer) -> None:
    app.command("explain")(explain_command)


def explain_command(  # noqa: PLR0917 - one parameter per command-line option
    file: Annotated[str | None, typer.Argument(
        help="A plan: EXPLAIN (FORMAT JSON) or text output, or an auto_explain log entry; "
        "- reads stdin.", show_default=False)] = None,
    dsn: Annotated[str | None, typer.Option("--dsn", help="libpq DSN: plan --query there.")]
    = None,
    query: Annotated[str | None, typer.Option("--query", help="The statement to plan.")] = None,
    analyze: Annotated[bool, typer.Option(
        "--analyze", help="Execute it (EXPLAIN ANALYZE) in a read-only transaction that is "
        "rolled back; refused for statements that write.")] = False,
    timeout_ms: Annotated[int, typer.Option("--timeout-ms", min=1,
                                            help="statement_timeout for --query.")] = 30_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print findings, plan and summary "
                                          "as JSON.")] = False,
    entry: Annotated[int, typer.Option("--entry", min=1, help="Which auto_explain entry of a "
                                       "server log to read (from 1).")] = 1,
) -> None:
    """Find what makes a plan slow: each finding at its node, with the numbers and the fix."""
    from pgwatch.explain.findings import Context, analyse
    from pgwatch.explain.render import render_text, to_document

    plan, context = _plan(file, dsn, query, analyze, timeout_ms, entry)
    findings = analyse(plan, context or Context())
    if as_json:
        typer.echo(json.dumps(to_document(plan, findings), indent=2))
    else:
        typer.echo(render_text(plan, findings))


def _plan(file: str | None, dsn: str | None, query: str | None, analyze: bool,  # noqa: PLR0917
          timeout_ms: int, entry: int) -> tuple[Plan, Context | None]:
    if file is not None:
        if dsn is not None or query is not None or analyze:
            raise PgwatchError("explain: give a plan FILE or --dsn with --query, not both")
        from pgwatch.explain.parse import parse_plan

        return parse_plan(_read(file), source=file, entry=entry), None
    if entry != 1:
        raise PgwatchError("explain: --entry picks an entry of a server log FILE")
    if dsn is None or query is None:
        raise PgwatchError("explain: give a plan FILE (or - for stdin), or --dsn and --query")
    from pgwatch.explain.live import explain_live

    return explain_live(dsn, query, analyze=analyze, timeout_ms=timeout_ms)


def _read(file: str) -> str:
    from pgwatch.explain.plan import PlanError

    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        raise PlanError(f"{file}: cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlanError(f"{file}: not UTF-8 text (byte {exc.start}): not a plan") from None
