"""The Typer application every command module registers itself on."""

import typer

app = typer.Typer(
    name="pgwatch",
    help="PostgreSQL observability and performance monitoring.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
