"""``pgwatch demo``: the one-command tour on an embedded PostgreSQL."""

from __future__ import annotations

from typing import Annotated

import typer

from pgwatch.demo import run_demo
from pgwatch.embedded import DEFAULT_MAJOR
from pgwatch.embedded.binaries import check_major


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    version: Annotated[int, typer.Option("--version", "-v", help="PostgreSQL major, 14-18.")]
    = DEFAULT_MAJOR,
    duration: Annotated[float, typer.Option(help="Stop after this many seconds (0: Ctrl-C).",
                                            min=0)] = 0,
) -> None:
    """Start an embedded PostgreSQL, prepare it for monitoring and examine it."""
    check_major(version)
    run_demo(version, duration, typer.echo)
