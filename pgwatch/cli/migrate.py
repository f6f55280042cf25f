"""``pgwatch migrate``: apply, revert, list and verify the Mile Quest migrations."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from pgwatch.migrations.runner import Outcome, Runner

migrate = typer.Typer(help="Apply, revert, list and verify the Mile Quest schema migrations.",
                      no_args_is_help=True)

Dsn = Annotated[str, typer.Option("--dsn", help="libpq connection string of the database.")]
UpTo = Annotated[int | None, typer.Option(
    "--to", help="Apply the migrations up to this version (default: the latest).")]
DownTo = Annotated[int | None, typer.Option(
    "--to", help="Revert the migrations above this version (0: every one; default: the last "
    "one only).")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Print the SQL; apply nothing.")]
Folder = Annotated[Path | None, typer.Option(
    "--dir", help="Folder of NNNN_name.up.sql/.down.sql files (default: the packaged ones).")]
LockTimeout = Annotated[int, typer.Option(
    "--lock-timeout-ms", min=1,
    help="Longest wait of one DDL statement for a table lock before it gives way and retries.")]


def register(app: typer.Typer) -> None:
    app.add_typer(migrate, name="migrate")


def _runner(dsn: str, folder: Path | None, lock_timeout_ms: int = 500) -> Runner:
    from pgwatch.migrations.runner import Runner, RunnerOptions

    return Runner(dsn, folder, RunnerOptions(lock_timeout_ms=lock_timeout_ms))


def _report(outcome: Outcome) -> None:
    if outcome.dry_run:
        for index in outcome.repaired:
            typer.echo(f"-- would drop INVALID {index} concurrently and build it again")
        typer.echo(outcome.script_text() or "-- nothing to do")
        typer.echo(f"-- dry run: {len(outcome.steps)} steps printed, nothing applied")
        return
    for index in outcome.repaired:
        typer.echo(f"repaired INVALID {index} (dropped and rebuilt concurrently)")
    for version, elapsed in outcome.durations_ms.items():
        step = next(s for s in outcome.steps if s.migration.version == version)
        verb = "applied" if outcome.direction == "up" else "reverted"
        typer.echo(f"{verb} {step.migration.label} in {elapsed:.0f} ms")
    if not outcome.durations_ms:
        typer.echo("nothing to do: the database is at the requested version already")


@migrate.command("up")
def up(dsn: Dsn, to: UpTo = None, dry_run: DryRun = False, folder: Folder = None,
       lock_timeout_ms: LockTimeout = 500) -> None:
    """Apply pending migrations (all, or up to --to) and rebuild INVALID indexes."""
    _report(_runner(dsn, folder, lock_timeout_ms).up(to, dry_run=dry_run))


@migrate.command("down")
def down(dsn: Dsn, to: DownTo = None, dry_run: DryRun = False, folder: Folder = None,
         lock_timeout_ms: LockTimeout = 500) -> None:
    """Revert the last applied migration, or every one above --to."""
    _report(_runner(dsn, folder, lock_timeout_ms).down(to, dry_run=dry_run))


@migrate.command("status")
def status(dsn: Dsn, folder: Folder = None) -> None:
    """List every migration and whether it is applied, partial, pending or edited."""
    from pgwatch.migrations.verify import status as migration_status

    rows = migration_status(_runner(dsn, folder))
    typer.echo(f"{'migration':<40} {'state':<24} applied at")
    for row in rows:
        when = row.applied_at.isoformat(timespec="seconds") if row.applied_at else ""
        typer.echo(f"{row.label:<40} {row.state:<24} {when}".rstrip())


@migrate.command("verify")
def verify(dsn: Dsn, folder: Folder = None) -> None:
    """Check applied checksums and that every expected object exists and is valid."""
    from pgwatch.migrations.verify import verify as verify_database

    result = verify_database(_runner(dsn, folder))
    if result.ok:
        typer.echo(f"OK: {result.migrations} migrations applied, "
                   f"{result.objects} objects present and valid")
        return
    for problem in result.problems:
        typer.echo(f"problem: {problem}")
    raise typer.Exit(1)
