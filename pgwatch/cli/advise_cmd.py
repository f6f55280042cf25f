"""``pgwatch advise``: index, statistics and configuration advice for a database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from pgwatch.explain.advisor.run import Advice, AdviseOptions


def register(app: typer.Typer) -> None:
    app.command("advise")(advise_command)


def advise_command(  # noqa: PLR0917 - one parameter per command-line option
    dsn: Annotated[str | None, typer.Option("--dsn", help="libpq DSN of the database.")] = None,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="pgwatch config file: "
                                                "every target, with the store's history.")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the advice as JSON.")] = False,
    top: Annotated[int, typer.Option("--top", min=1, max=10_000,
                                     help="Statements to plan, by total time.")] = 50,
    sample_seconds: Annotated[float, typer.Option(
        "--sample-seconds", min=0.0, max=600.0,
        help="Watch pg_stat_activity this long for literal examples of the statements.")]
    = 0.0,
    unused_days: Annotated[float, typer.Option(
        "--unused-days", min=0.0, help="Days without a scan for an unused index to be "
        "high-confidence.")] = 7.0,
    timeout_ms: Annotated[int, typer.Option("--timeout-ms", min=1,
                                            help="statement_timeout of the session.")]
    = 10_000,
    database: Annotated[str | None, typer.Option(
        "--database", help="With --config: advise only this database, one of those the "
        "targets watch.")] = None,
) -> None:
    """Advise indexes to create, drop or rebuild, statistics and settings (never applied)."""
    from pgwatch.explain.advisor import render
    from pgwatch.explain.advisor.run import AdviseOptions

    if (dsn is None) == (config is None):
        raise typer.BadParameter("give exactly one of --dsn or --config", param_hint="--dsn")
    if database is not None and config is None:
        raise typer.BadParameter("only with --config (--dsn names its one database)",
                                 param_hint="--database")
    options = AdviseOptions(top=top, sample_seconds=sample_seconds,
                            statement_timeout_ms=timeout_ms, unused_min_days=unused_days)
    advices = _run(dsn, config, options, database)
    if as_json:
        typer.echo(render.as_json(advices))
    else:
        typer.echo("\n\n".join(render.as_text(a) for a in advices))


def _run(dsn: str | None, config: Path | None, options: AdviseOptions,
         database: str | None) -> list[Advice]:
    from pgwatch.explain.advisor.run import advise

    if dsn is not None:
        return [advise(dsn, options)]
    assert config is not None
    from pgwatch.explain.advisor.history import advise_configured

    return advise_configured(config, options, database)
