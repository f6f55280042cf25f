"""The ``pgwatch`` command: each sub-module parses arguments, calls one function and prints.

Every user error leaves as one line on stderr and exit status 2; nothing else decides that.
Command modules are imported for ``--help``: they import Typer and the standard library only,
and their heavy packages inside the command functions (see ``pgwatch.cli.app``).
"""

from __future__ import annotations

import sys

import typer
from typer.exceptions import TyperException

from pgwatch.cli import (
    advise_cmd,
    alerts_cmd,
    bench,
    collect,
    config_cmd,
    demo_cmd,
    doctor,
    embedded_cmd,
    explain_cmd,
    migrate,
    report_cmd,
    rules_cmd,
    run_cmd,
)
from pgwatch.cli.app import app
from pgwatch.errors import PgwatchError

for _module in (demo_cmd, run_cmd, collect, doctor, config_cmd, migrate, bench, embedded_cmd,
                rules_cmd, alerts_cmd, advise_cmd, explain_cmd, report_cmd):
    _module.register(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    command = typer.main.get_command(app)
    try:
        status = command.main(args=argv, prog_name="pgwatch", standalone_mode=False)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except TyperException as exc:
        _usage_error(exc)
    except (typer.Abort, KeyboardInterrupt):
        print("pgwatch: interrupted", file=sys.stderr)
        sys.exit(130)
    except PgwatchError as exc:
        _fail(str(exc))
    # Without standalone mode, an Exit raised by a command comes back as its status.
    sys.exit(status if isinstance(status, int) else 0)


def _usage_error(exc: TyperException) -> None:
    context = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError":
        sys.exit(0)  # the help was already printed
    path = context.command_path if context is not None else "pgwatch"
    # "pgwatch: error: " already names the program: name only the sub-command after it.
    command = path.removeprefix("pgwatch").strip()
    where = f"{command}: " if command else ""
    # Typer checks values with pydantic, whose messages start "Value error, ".
    message = exc.format_message().replace("Value error, ", "").rstrip(".")
    _fail(f"{where}{message} (see '{path} --help')")


def _fail(message: str) -> None:
    print(f"pgwatch: error: {' '.join(message.split())}", file=sys.stderr)
    sys.exit(2)
