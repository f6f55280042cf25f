"""The daemon at scale, beside postgres_exporter: RSS, overruns, and what a scrape costs.

Builds the collectors issue's database (10,000 tables with a primary key and one more index
each, ~10,000 distinct statements) on an embedded PostgreSQL 15, runs ``pgwatch run`` with
the default intervals for ``--seconds`` (default 330: every 300 s collector runs at least
once), samples the daemon's RSS and scrapes its /metrics every 15 s, then scrapes Debian's
prometheus-postgres-exporter (with its pg_stat_statements query) on the same database. It
prints a Markdown table and asserts nothing about timing.

    python -m benchmarks.daemon_bench [--tables 10000] [--statements 10000] [--seconds 330]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from benchmarks.collector_bench import (
    EXPORTER,
    SERVER_SETTINGS,
    build,
    exporter_queries,
    free_port,
    rss_mb,
    running_exporter,
    scrape,
)
from pgwatch.embedded import EmbeddedPostgres


@dataclass(frozen=True, slots=True)
class Scrapes:
    """Several scrapes of one endpoint: latency in ms, samples and bytes of the last one."""

    name: str
    latencies_ms: tuple[float, ...]
    samples: int
    body_bytes: int
    rss_mb: float

    def row(self) -> str:
        median = statistics.median(self.latencies_ms)
        return (f"| {self.name} | {len(self.latencies_ms)} | {median:.1f} | "
                f"{max(self.latencies_ms):.1f} | {self.samples:,} | {self.body_bytes / 1e6:.2f} | "
                f"{self.rss_mb:.0f} |")


def timed_scrape(port: int) -> tuple[float, bytes]:
    began = time.perf_counter()
    body = scrape(port)
    return (time.perf_counter() - began) * 1000, body


def samples_in(body: bytes) -> int:
    return sum(1 for line in body.splitlines() if line and not line.startswith(b"#"))


def counter_sum(body: bytes, name: str) -> float:
    return sum(float(line.rsplit(b" ", 1)[1]) for line in body.splitlines()
               if line.startswith(name.encode() + b"{"))


def write_config(folder: Path, dsn: str, port: int) -> Path:
    params = conninfo_to_dict(dsn)
    config = folder / "pgwatch.yaml"
    config.write_text(
        "targets:\n"
        f"  - name: bench\n    host: 127.0.0.1\n    port: {params['port']}\n"
        f"    dbname: {params['dbname']}\n    user: {params['user']}\n"
        f"    password: {params['password']}\n"
        f"store:\n  path: {folder / 'history.db'}\n"
        f"http:\n  listen: 127.0.0.1:{port}\n")
    return config


def run_pgwatch(dsn: str, seconds: float) -> tuple[Scrapes, dict[str, float]]:
    """Run the daemon; scrape every 15 s; return the scrapes and a few totals."""
    folder = Path(tempfile.mkdtemp(prefix="pgwatch-daemon-bench-"))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "pgwatch", "run", "-c", str(write_config(folder, dsn, port))],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    latencies: list[float] = []
    peak_rss, body = 0.0, b""
    try:
        deadline = time.monotonic() + seconds
        next_scrape = time.monotonic() + 15
        while time.monotonic() < deadline:
            time.sleep(1)
            peak_rss = max(peak_rss, rss_mb(process.pid))
            if time.monotonic() >= next_scrape:
                elapsed, body = timed_scrape(port)
                latencies.append(elapsed)
                next_scrape += 15
        totals = {name: counter_sum(body, f"pgwatch_collector_{name}_total")
                  for name in ("runs", "errors", "overruns")}
        totals["store_mb"] = (folder / "history.db").stat().st_size / 1e6
    finally:
        process.terminate()
        process.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
    scrapes = Scrapes("pgwatch (default caps)", tuple(latencies), samples_in(body), len(body),
                      peak_rss)
    return scrapes, totals


def run_exporter(dsn: str) -> Scrapes | None:
    if shutil.which(EXPORTER) is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        with running_exporter(dsn, port, exporter_queries(Path(tmp))) as pid:
            measured = [timed_scrape(port) for _ in range(3)]
            rss = rss_mb(pid)
    body = measured[-1][1]
    return Scrapes("postgres_exporter 0.11 (with pg_stat_statements query)",
                   tuple(m[0] for m in measured), samples_in(body), len(body), rss)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=330.0)
    args = parser.parse_args(argv)
    with EmbeddedPostgres(15, settings=SERVER_SETTINGS) as pg:
        build(pg.dsn(), args.tables, args.statements)
        ours, totals = run_pgwatch(pg.dsn(), args.seconds)
        theirs = run_exporter(pg.dsn())
    print(f"\n{args.tables:,} tables, {args.statements:,} statements, PostgreSQL 15, "
          f"pgwatch run for {args.seconds:.0f} s at the default intervals\n")
    print("| endpoint | scrapes | median ms | max ms | samples | MB | RSS MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for scrapes in (ours, theirs):
        if scrapes is not None:
            print(scrapes.row())
    print(f"\npgwatch: {totals['runs']:.0f} collector runs, {totals['errors']:.0f} errors, "
          f"{totals['overruns']:.0f} overruns, peak RSS {ours.rss_mb:.0f} MB, "
          f"store {totals['store_mb']:.1f} MB")


if __name__ == "__main__":
    main()
