"""``pgwatch embedded``: fetch PostgreSQL binaries, or run a throwaway server in the foreground."""

from __future__ import annotations

import time
from typing import Annotated

import typer

embedded = typer.Typer(help="Throwaway PostgreSQL 14-18 servers on 127.0.0.1.",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(embedded, name="embedded")


@embedded.command("fetch")
def fetch(
    versions: Annotated[list[int] | None, typer.Argument(help="Major versions (default: all).")]
    = None,
) -> None:
    """Download and unpack the server binaries so later starts are offline and fast."""
    from pgwatch.embedded import SUPPORTED_MAJORS, binaries
    from pgwatch.embedded.binaries import check_major

    for major in versions or list(SUPPORTED_MAJORS):
        check_major(major)
        began = time.monotonic()
        path = binaries(major)
        typer.echo(f"PostgreSQL {major}: {path} ({time.monotonic() - began:.1f} s)")


@embedded.command("start")
def start(
    version: Annotated[int | None, typer.Option(
        "--version", "-v", help="Major version, 14-18 (default: the newest).")] = None,
    duration: Annotated[float, typer.Option(help="Stop after this many seconds (0: Ctrl-C).",
                                            min=0)] = 0,
) -> None:
    """Run a server until Ctrl-C (or --duration), printing its DSN; it is removed afterwards."""
    from pgwatch.embedded import DEFAULT_MAJOR, EmbeddedPostgres
    from pgwatch.embedded.binaries import check_major
    from pgwatch.shutdown import stop_event, wait_for

    major = check_major(DEFAULT_MAJOR if version is None else version)
    with EmbeddedPostgres(major) as pg, stop_event() as stop:
        typer.echo(f"PostgreSQL {major} ready in {pg.startup_seconds:.2f} s")
        typer.echo(f"DSN: {pg.dsn()}")
        typer.echo(f"socket DSN (no password): {pg.socket_dsn()}")
        typer.echo(f"log: {pg.log_path}")
        wait_for(stop, duration)
    typer.echo("stopped and removed")
