"""The ``pgwatch`` command: each sub-module parses arguments, calls one function and prints.

Every user error leaves as one line on stderr and exit status 2; nothing else decides that.
"""

from __future__ import annotations

import sys

import click
import typer

from pgwatch.cli import app as _app_module
from pgwatch.cli import config_cmd, doctor, embedded_cmd
from pgwatch.errors import PgwatchError

app = _app_module.app
for _module in (config_cmd, doctor, embedded_cmd):
    _module.register(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    command = typer.main.get_command(app)
    try:
        command.main(args=argv, prog_name="pgwatch", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.UsageError as exc:
        where = f"{exc.ctx.command_path}: " if exc.ctx is not None else ""
        _fail(f"{where}{exc.format_message()}")
    except click.ClickException as exc:
        _fail(exc.format_message())
    except click.Abort:
        sys.exit(130)
    except PgwatchError as exc:
        _fail(str(exc))


def _fail(message: str) -> None:
    print(f"pgwatch: error: {' '.join(message.split())}", file=sys.stderr)
    sys.exit(2)
