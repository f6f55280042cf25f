"""``pgwatch report``: the DBA tuning report of a database, as HTML, Markdown or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)


def report_command(  # noqa: PLR0917 - one parameter per command-line option
    config: Annotated[Path | None, typer.Option("--config", "-c", help="pgwatch config file: "
                                                "the report reads the daemon's store.")] = None,
    dsn: Annotated[str | None, typer.Option("--dsn", help="libpq DSN of a database to read "
                                            "now (no history).")] = None,
    since: Annotated[str, typer.Option("--since", help="Window of the report: 30m, 24h, 7d.")]
    = "24h",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write "
                                                "(default report.html, .md or .json).")]
    = None,
    fmt: Annotated[str, typer.Option("--format", help="html, md or json.")] = "html",
    target: Annotated[str | None, typer.Option("--target", help="With -c: the target to report"
                                               " on (default: the first).")] = None,
) -> None:
    """Write the tuning report: grade, top actions with their SQL, queries, indexes, vacuum,
    connections, replication, alerts, capacity, Mile Quest health, configuration."""
    from pgwatch.report.make import ReportRequest, make_report

    if (dsn is None) == (config is None):
        raise typer.BadParameter("give exactly one of --dsn or --config", param_hint="--dsn")
    if fmt not in ("html", "md", "json"):
        raise typer.BadParameter(f"{fmt!r} is not one of html, md, json",
                                 param_hint="--format")
    request = ReportRequest(config=config, dsn=dsn, since=since, fmt=fmt,
                            output=output or Path(f"report.{fmt}"), target=target)
    written = make_report(request)
    typer.echo(f"pgwatch report: wrote {written.path} ({written.size:,} bytes, grade "
               f"{written.grade}, {written.seconds:.1f} s)")
