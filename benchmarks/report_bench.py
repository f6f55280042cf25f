"""Report benchmark: build the report of a database with 10,000 tables and 5,000 statements.

Builds the collector benchmark's database (``benchmarks.collector_bench.build``) on an
embedded PostgreSQL, then measures three reports and prints their size and time:

- ``--dsn``: every collector read once, the advisor run, the report built and written;
- from the store: the daemon's writes of two collection cycles (the store's default policy),
  then ``pgwatch report -c``'s path (the newest rows laid over the stored snapshot);
- the build and each rendering alone, from the store.

    python -m benchmarks.report_bench [--tables 10000] [--statements 5000] [--version 18]

It asserts nothing about timing; the README quotes its output.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.collector_bench import SERVER_SETTINGS, build
from pgwatch.collectors import registry
from pgwatch.collectors.cycle import collect_once
from pgwatch.collectors.kinds import reads_pgbouncer
from pgwatch.db import connect, probe
from pgwatch.embedded import EmbeddedPostgres
from pgwatch.report.build import build_report
from pgwatch.report.live_source import LiveSource
from pgwatch.report.render import render
from pgwatch.report.store_source import StoreSource
from pgwatch.store import open_store

MB = 1_000_000


def fill_store(dsn: str, path: Path, cycles: int) -> float:
    """What the daemon writes for ``cycles`` collection cycles, a minute apart."""
    store = open_store(path)
    collectors = [c for c in registry.create() if not reads_pgbouncer(c.name)]
    began = time.monotonic()
    with connect(dsn) as conn:
        server = probe(conn)
        for cycle in range(cycles):
            result = collect_once(conn, server, collectors, target="main")
            for snapshot in result.snapshots:
                taken = snapshot.taken_at - timedelta(minutes=cycles - cycle)
                store.write(replace(snapshot, taken_at=taken))
    store.close()
    return time.monotonic() - began


def timed_live(dsn: str, out: Path) -> tuple[float, int]:
    began = time.monotonic()
    source = LiveSource(dsn)
    report = build_report(source, timedelta(hours=24))
    text = render(report, "html")
    out.write_text(text)
    return time.monotonic() - began, len(text.encode())


def timed_store(dsn: str, path: Path, folder: Path) -> dict[str, tuple[float, int]]:
    found: dict[str, tuple[float, int]] = {}
    store = open_store(path)
    source = StoreSource(store, "main", dsn, where="bench", now=datetime.now(UTC))
    began = time.monotonic()
    source.advice()  # the advisor's share, timed apart (it is remembered for the build)
    found["advisor (pgwatch.explain.advisor.run.advise)"] = (time.monotonic() - began, 0)
    began = time.monotonic()
    report = build_report(source, timedelta(hours=24))
    found["build from the store, advisor excluded"] = (time.monotonic() - began, 0)
    for fmt in ("html", "md", "json"):
        started = time.monotonic()
        text = render(report, fmt)
        (folder / f"report.{fmt}").write_text(text)
        found[f"render {fmt}"] = (time.monotonic() - started, len(text.encode()))
    store.close()
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--tables", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=5_000)
    parser.add_argument("--version", type=int, default=18)
    args = parser.parse_args(argv)
    with EmbeddedPostgres(args.version, settings=SERVER_SETTINGS) as pg, \
            tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        dsn = pg.dsn("postgres")
        build(dsn, args.tables, args.statements)
        live_s, live_bytes = timed_live(dsn, folder / "live.html")
        fill_s = fill_store(dsn, folder / "history.db", 2)
        rows = timed_store(dsn, folder / "history.db", folder)
    print(f"| {args.tables:,} tables, {args.statements:,} statements, PostgreSQL "
          f"{args.version} | seconds | bytes |\n| --- | ---: | ---: |")
    print(f"| pgwatch report --dsn (collect, advise, build, HTML) | {live_s:.1f} | "
          f"{live_bytes:,} |")
    print(f"| store filled by two collection cycles | {fill_s:.1f} | |")
    for name, (seconds, size) in rows.items():
        print(f"| {name} | {seconds:.2f} | {size:,} |" if size else
              f"| {name} | {seconds:.1f} | |")
    largest = max([live_bytes, *(s for _t, s in rows.values())])
    print(f"\nlargest output {largest / MB:.2f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
