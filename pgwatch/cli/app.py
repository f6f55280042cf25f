"""The Typer application every command module registers itself on.

A command module is imported to build ``pgwatch --help``, so it imports only Typer and the
standard library at its top; what a command needs (psycopg, pydantic, the daemon) it imports
inside the command function. ``tests/unit/test_first_minutes_cli.py`` keeps it so.
"""

from typing import Annotated

import typer

from pgwatch import __version__

app = typer.Typer(
    name="pgwatch",
    help="PostgreSQL observability and performance monitoring.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: drawing it with rich would double the time `pgwatch --help` takes.
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"pgwatch {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_print_version, help="Print the version and exit.")]
    = False,
) -> None:
    """PostgreSQL observability and performance monitoring."""
