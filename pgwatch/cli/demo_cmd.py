"""``pgwatch demo``: the one-command tour on an embedded PostgreSQL."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    version: Annotated[int | None, typer.Option(
        "--version", "-v", help="PostgreSQL major, 14-18 (default: the newest).")] = None,
    duration: Annotated[float, typer.Option(help="Stop after this many seconds (0: Ctrl-C).",
                                            min=0)] = 0,
    scale: Annotated[float, typer.Option(help="Mile Quest data scale (1 = 1M activities).",
                                         min=0.001, max=10)] = 0.02,
    port: Annotated[int, typer.Option(help="Port for /metrics (another if taken).",
                                      min=1, max=65535)] = 9187,
) -> None:
    """Embedded PostgreSQL + Mile Quest schema, data, migrations and workload + the daemon."""
    from pgwatch.demo import DemoOptions, run_demo
    from pgwatch.embedded import DEFAULT_MAJOR
    from pgwatch.embedded.binaries import check_major
    from pgwatch.log import setup_logging

    major = check_major(DEFAULT_MAJOR if version is None else version)
    setup_logging("plain", "warning")
    run_demo(DemoOptions(major, duration, scale, port), typer.echo)
