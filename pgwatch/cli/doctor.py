"""``pgwatch doctor``: print capabilities and fixes; exit 0 all well, 1 warnings, 2 errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pgwatch.errors import PgwatchError

if TYPE_CHECKING:
    from pgwatch.db.session import SessionSettings
    from pgwatch.discovery import DatabaseRule
    from pgwatch.doctor import Examination


@dataclass(frozen=True, slots=True)
class _Target:
    name: str
    where: str
    dsn: Callable[[], str]  # deferred: a password file is read only when needed
    settings: SessionSettings | None = None
    databases: DatabaseRule | None = None


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


def doctor(
    dsn: Annotated[str | None, typer.Option("--dsn", help="libpq DSN or URI of the server.")]
    = None,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="pgwatch config file.")]
    = None,
    print_role_sql: Annotated[bool, typer.Option(
        "--print-role-sql", help="Print the SQL that sets up a least-privilege role for "
        "pgwatch (in the databases of --dsn or --config, if given) and exit.")] = False,
    role: Annotated[str | None, typer.Option(
        "--role", help="The role --print-role-sql sets up (default pgwatch).")] = None,
    without_table_data: Annotated[bool, typer.Option(
        "--without-table-data", help="With --print-role-sql: no SELECT on the tables, which "
        "only the bloat estimate needs (it then reports nothing).")] = False,
) -> None:
    """Check what pgwatch can collect from a server and print the SQL that closes each gap."""
    if print_role_sql:
        _print_role_sql(dsn, config, role, not without_table_data)
        return
    if role is not None or without_table_data:
        raise PgwatchError("doctor: --role and --without-table-data go with --print-role-sql")
    if (dsn is None) == (config is None):
        raise PgwatchError("doctor: give exactly one of --dsn or --config")
    from pgwatch.doctor import Status, examine, worst

    errors = 0
    exit_status = Status.OK
    for target in _targets(dsn, config):
        try:
            result = examine(target.name, target.dsn(), target.where, target.settings,
                             target.databases)
        except PgwatchError as exc:
            if dsn is not None:
                raise
            typer.echo(f"pgwatch: error: {exc}", err=True)
            errors += 1
            continue
        _print(result)
        exit_status = max(exit_status, worst(result.checks))
    if errors:
        raise typer.Exit(2)
    raise typer.Exit(1 if exit_status is Status.WARN else 0)


def _print_role_sql(dsn: str | None, config: Path | None, role: str | None,
                    table_data: bool) -> None:
    """The whole script, or (any target failing) one error line and nothing of the script."""
    if dsn is not None and config is not None:
        raise PgwatchError("doctor --print-role-sql: give at most one of --dsn or --config")
    from pgwatch.role_sql import DEFAULT_ROLE, ServerPlan, check_role_name, role_script

    name = check_role_name(DEFAULT_ROLE if role is None else role, "doctor --role")
    plans = [ServerPlan("any server", None)]
    if dsn is not None or config is not None:
        from pgwatch.role_sql.plans import server_plan

        plans = [server_plan(t.name, t.dsn(), t.where, t.settings, t.databases)
                 for t in _targets(dsn, config)]
    typer.echo(role_script(name, plans, table_data=table_data))


def _targets(dsn: str | None, config: Path | None) -> Iterator[_Target]:
    from pgwatch.config import load_config, session_settings, target_dsn

    if dsn is not None:
        yield _Target("dsn", "--dsn", lambda: dsn)
        return
    assert config is not None
    loaded = load_config(config)
    for index, target in enumerate(loaded.targets):
        yield _Target(target.name, f"{config}: targets[{index}]",
                      lambda t=target: target_dsn(t, config.parent),  # type: ignore[misc]
                      session_settings(loaded.connection_for(target)),
                      target.databases.rule() if target.databases is not None else None)


def _print(result: Examination) -> None:
    from pgwatch.doctor import Status

    marks = {Status.OK: "ok  ", Status.INFO: "info", Status.WARN: "warn"}
    info = result.info
    typer.echo(f"target {result.target}: {result.server}")
    for check in result.checks:
        typer.echo(f"  {marks[check.status]}  {check.name:<26} {check.detail}")
        if check.fix and check.status is not Status.OK:
            typer.echo(f"        {'':<26} fix: {check.fix}")
    for skip in result.skipped:
        typer.echo(f"  skip  {'collector ' + skip.collector:<26} {skip.reason}")
    if result.databases is not None:
        from pgwatch.discovery import summary

        for line in summary(result.databases):
            typer.echo(f"  {line}")
    counts = {s: sum(1 for c in result.checks if c.status is s) for s in Status}
    typer.echo(f"  PostgreSQL {info.major}: {counts[Status.WARN]} warning(s), "
               f"{counts[Status.INFO]} note(s), {len(result.skipped)} collector(s) skipped\n")
