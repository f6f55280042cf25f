"""Collector benchmark: one pgwatch cycle per collector at scale, beside postgres_exporter.

Builds the database of the collectors issue on an embedded PostgreSQL (10,000 tables with a
primary key and one more index each, ~10,000 distinct statements), then measures, per
collector, the wall time, the CPU time of the server's processes, the bytes read from the
server, the rows, and the query-text reads of a second cycle; the raw reads pgwatch is held
against; and, when Debian's prometheus-postgres-exporter is installed, one scrape of it with
a pg_stat_statements query (time, samples, bytes, RSS). It prints a Markdown table and
asserts nothing about timing.

    python -m benchmarks.collector_bench [--tables 10000] [--statements 10000] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from pgwatch.collectors import registry
from pgwatch.collectors.base import Collector
from pgwatch.collectors.cycle import collect_once
from pgwatch.collectors.statements import StatementsCollector
from pgwatch.db import ServerInfo, SessionSettings, connect, probe
from pgwatch.embedded import EmbeddedPostgres, free_port

HERE = Path(__file__).parent
EXPORTER = "prometheus-postgres-exporter"
EXPORTER_QUERIES = Path("/usr/share/doc/prometheus-postgres-exporter/examples/queries.yaml")
BATCH = 500
# struct tcp_info (linux/tcp.h): tcpi_bytes_received is the u64 at byte 128.
TCP_INFO_SIZE = 232
TCP_INFO_BYTES_RECEIVED = 128
# A quiet server: autovacuum would analyze the 10,000 new tables during the measurement.
SERVER_SETTINGS = {"autovacuum": "off", "max_locks_per_transaction": "256"}


@dataclass(frozen=True, slots=True)
class Measure:
    """One measured read: wall and server CPU time in ms, bytes received, rows.

    Bytes are what the client received: on its TCP socket for pgwatch and the raw reads,
    the HTTP body of the scrape for postgres_exporter.
    """

    name: str
    wall_ms: float
    cpu_ms: float
    bytes: int
    rows: int
    note: str = ""


def read_sql(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def build(dsn: str, tables: int, statements: int) -> None:
    """The tables in batches (one transaction each), then one statement per table."""
    began = time.monotonic()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        template = read_sql("collector_bench_tables.sql")
        for lo in range(1, tables + 1, BATCH):
            hi = min(lo + BATCH - 1, tables)
            conn.execute(sql.SQL(template).format(lo=sql.Literal(lo),
                                                  hi=sql.Literal(hi)))
            print(f"\rtables {hi}/{tables}", end="", file=sys.stderr, flush=True)
        statement = read_sql("collector_bench_statement.sql")
        for i in range(statements):
            table = sql.Identifier("public", f"bench_{i % tables + 1}")
            query = sql.SQL(statement).format(table=table)
            conn.execute(query, {"v": i % 7, "id": i})
        conn.execute("ANALYZE")
    print(f"\rbuilt {tables} tables, {statements} statements in "
          f"{time.monotonic() - began:.0f} s", file=sys.stderr)


def postmaster_pid(pg: EmbeddedPostgres) -> int:
    return int((pg.data_dir / "postmaster.pid").read_text().split()[0])


def server_cpu_ns(postmaster: int) -> int:
    """CPU time of the postmaster and all its children, from /proc/<pid>/schedstat."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if int(entry.name) == postmaster or ppid == postmaster:
                total += int((entry / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # a process that ended while we looked
    return total


def socket_bytes(conn: psycopg.Connection[Any]) -> int:
    """Bytes received on the connection's TCP socket (tcpi_bytes_received of TCP_INFO)."""
    sock = socket.socket(fileno=os.dup(conn.pgconn.socket))
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, TCP_INFO_SIZE)
        return int(struct.unpack_from("Q", info, TCP_INFO_BYTES_RECEIVED)[0])
    finally:
        sock.close()


def measured(name: str, postmaster: int, action: Callable[[], int],
             received: Callable[[], int], note: str = "") -> Measure:
    """Run ``action`` (it returns a row count) and measure it."""
    cpu, before, began = server_cpu_ns(postmaster), received(), time.perf_counter()
    rows = action()
    wall = time.perf_counter() - began
    moved = received() - before
    return Measure(name, wall * 1000, (server_cpu_ns(postmaster) - cpu) / 1e6, moved, rows, note)


def raw_reads(dsn: str, postmaster: int) -> list[Measure]:
    """The floor: each raw view read on a warm connection, best of three."""
    results = []
    with connect(dsn) as conn:
        for statement in read_sql("collector_bench_raw.sql").splitlines()[1:]:
            def run(text: str = statement) -> int:
                return len(conn.execute(text).fetchall())
            runs = [measured(statement.split("FROM ")[1], postmaster, run,
                             lambda: socket_bytes(conn)) for _ in range(3)]
            results.append(min(runs, key=lambda m: m.wall_ms))
    return results


def pgwatch_cycles(dsn: str, postmaster: int) -> tuple[list[Measure], dict[str, Any]]:
    """Two full cycles on one warm session; per-collector figures of the second."""
    collectors = registry.create()
    statements = next(c for c in collectors if isinstance(c, StatementsCollector))
    # At this scale the slow-interval collectors take seconds: allow them a minute.
    with connect(dsn, SessionSettings(statement_timeout_ms=60_000)) as conn:
        server = probe(conn)
        first_began = time.perf_counter()
        first = collect_once(conn, server, collectors)
        first_ms = (time.perf_counter() - first_began) * 1000
        first_fetches = statements.text_fetches
        measures = [measure_collector(conn, server, c, postmaster) for c in collectors
                    if c.missing(server) is None]
    summary = {"first_cycle_ms": first_ms, "first_cycle_errors": len(first.errors),
               "first_cycle_text_fetches": first_fetches,
               "texts_fetched": statements.texts_fetched,
               "second_cycle_text_fetches": statements.text_fetches - first_fetches,
               "rss_mb": rss_mb(os.getpid())}
    return measures, summary


def measure_collector(conn: psycopg.Connection[Any], server: ServerInfo, collector: Collector,
                      postmaster: int) -> Measure:
    """One collector alone, best of three; a failure is reported in the note, not raised."""
    failures: list[str] = []

    def run() -> int:
        result = collect_once(conn, server, [collector])
        failures.extend(e.reason for e in result.errors)
        return sum(len(s.rows) for s in result.snapshots)
    measure = min((measured(collector.name, postmaster, run, lambda: socket_bytes(conn))
                   for _ in range(3)), key=lambda m: m.wall_ms)
    note = f"{registry.default_interval(collector.name):.0f} s"
    return replace(measure, note=f"{note}; failed: {failures[0]}" if failures else note)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def exporter_queries(directory: Path) -> Path:
    """Debian's example queries, with pg_stat_statements' column names of 13 and later."""
    text = EXPORTER_QUERIES.read_text()
    for old in ("total_time", "min_time", "max_time", "mean_time", "stddev_time"):
        text = text.replace(f"{old} / 1000 as", f"{old.replace('_time', '_exec_time')} / 1000 as")
    path = directory / "queries.yaml"
    path.write_text(text)
    return path


@contextmanager
def running_exporter(dsn: str, port: int, queries: Path | None) -> Iterator[int]:
    """Start postgres_exporter on 127.0.0.1:port; yield its pid; stop it after."""
    params = conninfo_to_dict(dsn)
    uri = (f"postgresql://{params['user']}:{params['password']}@{params['host']}:"
           f"{params['port']}/{params['dbname']}?sslmode=disable")
    args = [shutil.which(EXPORTER) or EXPORTER, f"--web.listen-address=127.0.0.1:{port}"]
    if queries is not None:
        args.append(f"--extend.query-path={queries}")
    process = subprocess.Popen(args, env={**os.environ, "DATA_SOURCE_NAME": uri},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                scrape(port)
                break
            except OSError:
                time.sleep(0.2)
        yield process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)




def scrape(port: int) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=120) as response:
        body: bytes = response.read()
        return body


def exporter_scrapes(dsn: str, postmaster: int) -> list[Measure]:
    """One warm scrape with the pg_stat_statements query and one with the defaults only."""
    if shutil.which(EXPORTER) is None:
        return []
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, queries in (("with statements", exporter_queries(Path(tmp))),
                               ("defaults", None)):
            port = free_port()
            with running_exporter(dsn, port, queries) as pid:
                best = min((scrape_measured(f"postgres_exporter ({label})", port, postmaster)
                            for _ in range(3)), key=lambda m: m.wall_ms)
                results.append(Measure(best.name, best.wall_ms, best.cpu_ms, best.bytes,
                                       best.rows, f"RSS {rss_mb(pid):.0f} MB"))
    return results


def scrape_measured(name: str, port: int, postmaster: int) -> Measure:
    """One scrape: samples are the non-comment lines; bytes are the body's length."""
    bodies: list[bytes] = []

    def run() -> int:
        bodies.append(scrape(port))
        return sum(1 for line in bodies[-1].splitlines() if line and not line.startswith(b"#"))
    return measured(name, postmaster, run, lambda: sum(len(b) for b in bodies))


def table(measures: list[Measure]) -> str:
    lines = ["| read | wall ms | server CPU ms | bytes | rows / samples | note |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    lines += [f"| {m.name} | {m.wall_ms:.1f} | {m.cpu_ms:.1f} | {m.bytes:,} | {m.rows:,} | "
              f"{m.note} |" for m in measures]
    return "\n".join(lines)


def report(raw: list[Measure], ours: list[Measure], summary: dict[str, Any],
           exporter: list[Measure]) -> str:
    core = [m for m in ours if m.name in ("statements", "tables", "indexes")]
    floor = sum(m.wall_ms for m in raw)
    lines = ["Raw reads (warm TCP connection, best of 3):", table(raw), "",
             "pgwatch, after a first cycle, per collector (best of 3; note: default interval):",
             table(ours), "",
             f"statements + tables + indexes: {sum(m.wall_ms for m in core):.1f} ms "
             f"(raw-read floor {floor:.1f} ms, ratio "
             f"{sum(m.wall_ms for m in core) / floor:.2f})",
             f"all collectors: {sum(m.wall_ms for m in ours):.1f} ms; first cycle "
             f"{summary['first_cycle_ms']:.0f} ms with {summary['texts_fetched']} texts in "
             f"{summary['first_cycle_text_fetches']} read(s); second cycle text reads: "
             f"{summary['second_cycle_text_fetches']}; process RSS {summary['rss_mb']:.0f} MB"]
    if exporter:
        lines += ["", "postgres_exporter, warm scrape (best of 3):", table(exporter)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--tables", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--version", type=int, default=15)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    with EmbeddedPostgres(args.version, settings=SERVER_SETTINGS) as pg:
        dsn = pg.dsn("postgres")
        build(dsn, args.tables, args.statements)
        postmaster = postmaster_pid(pg)
        raw = raw_reads(dsn, postmaster)
        ours, summary = pgwatch_cycles(dsn, postmaster)
        exporter = exporter_scrapes(dsn, postmaster)
    print(report(raw, ours, summary, exporter))
    if args.json:
        args.json.write_text(json.dumps({"raw": [asdict(m) for m in raw],
                                         "pgwatch": [asdict(m) for m in ours],
                                         "summary": summary,
                                         "exporter": [asdict(m) for m in exporter]}, indent=2))


if __name__ == "__main__":
    main()
