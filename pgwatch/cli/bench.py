"""``pgwatch bench``: the Mile Quest workload, per-scenario latency, grades, baselines."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pgwatch.errors import PgwatchError
from pgwatch.workload import stats

if TYPE_CHECKING:
    from pgwatch.workload.catalog import Scenario
    from pgwatch.workload.results import BenchRun
    from pgwatch.workload.runner import RunSettings

EMBEDDED_DATABASE = "milequest"
# A throwaway server for benchmarks: enough memory for scale 1 to stay cached.
EMBEDDED_SETTINGS = {"shared_buffers": "512MB", "work_mem": "16MB",
                     "maintenance_work_mem": "256MB", "max_wal_size": "4GB"}


def register(app: typer.Typer) -> None:
    # A group whose callback is the benchmark itself: `pgwatch bench --dsn ...` runs it, and
    # `pgwatch bench compare-scales A B` compares two result files without a server.
    group = typer.Typer(invoke_without_command=True, no_args_is_help=False,
                        help="Run the Mile Quest workload, or compare result files.")
    group.callback(invoke_without_command=True)(bench_command)
    group.command("compare-scales")(compare_scales_command)
    app.add_typer(group, name="bench")


@contextmanager
def _target(dsn: str | None, embedded: int | None) -> Iterator[str]:
    """The DSN to benchmark: the given one, or a database on a throwaway embedded server."""
    from psycopg import sql

    from pgwatch.db.session import SessionSettings, connect
    from pgwatch.embedded import EmbeddedPostgres

    if (dsn is None) == (embedded is None):
        raise PgwatchError("bench: give exactly one of --dsn and --embedded")
    if dsn is not None:
        yield dsn
        return
    assert embedded is not None
    with EmbeddedPostgres(embedded, settings=EMBEDDED_SETTINGS) as server:
        with connect(server.dsn(), SessionSettings(read_only=False, untracked=False)) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(EMBEDDED_DATABASE)))
        yield server.dsn(EMBEDDED_DATABASE)


def _scenarios(names: str | None) -> tuple[Scenario, ...]:
    from pgwatch.workload import catalog

    try:
        return catalog.select(names)
    except KeyError as exc:
        raise PgwatchError(f"--scenarios: unknown scenario or category {exc.args[0]}; "
                           "see docs/bench.md for the catalog") from None


def _compare(run_result: BenchRun, old: BenchRun | None, alpha: float,
             min_slowdown: float) -> bool:
    """Print the baseline comparison; True when some scenario regressed."""
    from pgwatch.workload import baseline, report

    if old is None:
        return False
    verdicts = baseline.compare(run_result, old, alpha=alpha, min_slowdown=min_slowdown)
    typer.echo(f"\n### against the baseline (last phase)\n\n{report.verdict_table(verdicts)}")
    regressed = [v.name for v in verdicts if v.comparison.regression]
    if regressed:
        typer.echo(f"\nregression in {len(regressed)} scenario(s): {', '.join(regressed)}",
                   err=True)
    return bool(regressed)


def bench_command(  # noqa: PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    dsn: Annotated[str | None, typer.Option(help="Database to benchmark (libpq DSN or URI).")]
    = None,
    scale: Annotated[float, typer.Option(help="Scale factor: 1 = 10k users, 1M activities.")]
    = 1.0,
    duration: Annotated[float, typer.Option(help="Seconds each scenario runs, per phase.",
                                            min=0.1)] = 10.0,
    concurrency: Annotated[int, typer.Option(help="Threads, one connection each.", min=1,
                                             max=256)] = 4,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the results here.")]
    = None,
    baseline_file: Annotated[Path | None, typer.Option(
        "--baseline", help="Compare with this earlier --json file; exit 1 on a regression.")]
    = None,
    compare_migrations: Annotated[bool, typer.Option(
        "--compare-migrations", help="Measure at migration 0001, apply 0002+0003, measure "
        "again on the same data, print speed-ups.")] = False,
    compare_advice: Annotated[bool, typer.Option(
        "--compare-advice", help="Measure at migration 0001, with the indexes `pgwatch "
        "advise` suggests, and with 0002, on the same data; print both speed-ups.")] = False,
    embedded: Annotated[int | None, typer.Option(
        help="Run against a throwaway embedded PostgreSQL of this major version.")] = None,
    scenarios: Annotated[str | None, typer.Option(
        help="Comma-separated scenario names or categories (default: all).")] = None,
    alpha: Annotated[float, typer.Option(help="Significance level of the regression test.",
                                         min=1e-6, max=0.5)] = stats.DEFAULT_ALPHA,
    min_slowdown: Annotated[float, typer.Option(
        help="Smallest median slowdown that counts as a regression (0.10 = 10 %).", min=0.0)]
    = stats.DEFAULT_MIN_SLOWDOWN,
) -> None:
    """Run the Mile Quest workload and report p50/p95/p99, throughput and an A-F grade."""
    if ctx.invoked_subcommand is not None:
        return
    from pgwatch.workload import baseline, report
    from pgwatch.workload.generate import Scale
    from pgwatch.workload.runner import RunSettings

    Scale.of(scale)
    chosen = _scenarios(scenarios)
    old = baseline.load(baseline_file) if baseline_file is not None else None
    settings = RunSettings(duration_s=duration, concurrency=concurrency)
    if compare_advice:
        _compare_advice(dsn, embedded, scale, settings, chosen=chosen,
                        compare_migrations=compare_migrations, json_out=json_out)
        return
    result = _measure(dsn, embedded, scale, settings, chosen=chosen,
                      compare_migrations=compare_migrations)
    typer.echo(report.summary(result))
    if json_out is not None:
        baseline.write(result, json_out)
        typer.echo(f"\nresults written to {json_out}")
    if _compare(result, old, alpha, min_slowdown):
        sys.exit(1)


def _measure(dsn: str | None, embedded: int | None, scale: float, settings: RunSettings, *,
             chosen: tuple[Scenario, ...], compare_migrations: bool) -> BenchRun:
    """Run the bench with progress bars on stderr (when it is a terminal)."""
    from pgwatch.cli.bench_progress import progress_events
    from pgwatch.workload import bench

    with _target(dsn, embedded) as target, progress_events() as events:
        options = bench.BenchOptions(target, scale, settings, chosen, compare_migrations,
                                     fresh=embedded is not None)
        return bench.run(options, events)


def _compare_advice(dsn: str | None, embedded: int | None, scale: float,
                    settings: RunSettings, *, chosen: tuple[Scenario, ...],
                    compare_migrations: bool, json_out: Path | None) -> None:
    """--compare-advice: the advisor's indexes against migration 0002's (exit 1 if missed)."""
    from pgwatch.cli.bench_progress import progress_events
    from pgwatch.workload import advice_compare, baseline, bench

    if compare_migrations:
        raise PgwatchError("bench: give at most one of --compare-migrations and "
                           "--compare-advice")
    with _target(dsn, embedded) as target, progress_events() as events:
        options = bench.BenchOptions(target, scale, settings, chosen, fresh=embedded is not None)
        found = advice_compare.run(options, events)
    typer.echo(advice_compare.report(found))
    if json_out is not None:
        baseline.write(found.run, json_out)
        typer.echo(f"\nresults written to {json_out}")
    if not advice_compare.met(found):
        sys.exit(1)


def compare_scales_command(
    reference: Annotated[Path, typer.Argument(help="Results (--json) at the smaller scale.")],
    larger: Annotated[Path, typer.Argument(help="Results (--json) at the larger scale.")],
) -> None:
    """Dashboard and leaderboard p95 at two scales: within 2x? Exit 1 when a category misses."""
    from pgwatch.workload import baseline, report, scales

    small, big = baseline.load(reference), baseline.load(larger)
    rows = scales.compare(small, big)
    found = scales.verdicts(rows)
    typer.echo(f"### p95 at scale {big.scale:g} against scale {small.scale:g} "
               f"({reference.name} -> {larger.name}, last phase of each)\n\n"
               f"{report.scale_table(small, big, rows)}\n\n{report.scale_verdict_table(found)}")
    if not all(v.met for v in found):
        sys.exit(1)
