"""What a fleet costs: one pgwatch process watching many databases, or many instances.

Phase ``databases``: one embedded PostgreSQL 18 with ``--databases`` databases (default
100), each with ``--tables`` tables (default 50, with a primary key and one more index)
and ``--statements`` distinct statements run once (default 100), watched by one target
with ``databases: {include: [fleet_*]}``. Phase ``instances``: ``--instances`` embedded
servers (default 20) with one such database each, one target per server. Each phase runs
``pgwatch run`` at the default intervals for ``--minutes`` (default 10) after measuring the
idle servers for 30 s, and reports per minute: CPU seconds of pgwatch and of the servers
(postmaster and every backend, those that exited included, less the idle baseline), peak
RSS, pgwatch's connections, the store, the scrape's time and samples, and the
collector runs, errors and overruns. It prints Markdown and asserts nothing.

The store is read every 30 s from another connection: the bytes its pages hold
((page_count - freelist_count) x page_size, through the WAL), per table (dbstat) and its
row counts. Its growth is a linear fit of those bytes after the first cycles; the files'
size is no measure of it, since the WAL file keeps every committed version of a page until
retention truncates it (``wal_checkpoint(TRUNCATE)``).

    python -m benchmarks.fleet_bench [--phase databases|instances|both] [--minutes 10]
                                     [--together] [--save RESULT.json]
    python -m benchmarks.fleet_bench --arithmetic DATABASES.json INSTANCES.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from benchmarks.fleet_store import (
    STORE_EVERY_S,
    StoreGrowth,
    StoreSample,
    growth,
    read_store,
    store_tables,
    store_timeline,
)
from pgwatch.embedded import EmbeddedPostgres, free_port

SETTINGS = {"pg_stat_statements.max": "20000", "max_connections": "200"}
TICKS = os.sysconf("SC_CLK_TCK")
SCRAPE_EVERY_S = 15.0


def build_template(dsn: str, tables: int) -> None:
    """Database ``fleet_template``: ``tables`` tables of 100 rows, two indexes each.

    pg_stat_statements is created in the server's ``postgres`` database (where a target
    that discovers databases connects) and in the template (the database of a target of
    one database): without it the statements collectors skip.
    """
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        conn.execute("CREATE DATABASE fleet_template")
    with psycopg.connect(make_conninfo(dsn, dbname="fleet_template"), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pg_stat_statements")
        for t in range(tables):
            name = sql.Identifier(f"t{t:02d}")
            conn.execute(sql.SQL("CREATE TABLE {} (id int PRIMARY KEY, a int, b text)")
                         .format(name))
            conn.execute(sql.SQL("CREATE INDEX ON {} (a)").format(name))
            conn.execute(sql.SQL("INSERT INTO {} SELECT g, g % 10, md5(g::text) "
                                 "FROM generate_series(1, 100) AS g").format(name))
        conn.execute("VACUUM ANALYZE")


def run_statements(dsn: str, tables: int, statements: int) -> None:
    """``statements`` distinct statements (two shapes per table, then more tables' pairs)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        for i in range(statements):
            name = sql.Identifier(f"t{(i // 2) % tables:02d}")
            shape = ("SELECT count(*) FROM {} WHERE a > %s" if i % 2 == 0
                     else "SELECT b FROM {} WHERE id = %s")
            limit = sql.SQL(" LIMIT {}").format(sql.Literal(1 + i // (2 * tables)))
            conn.execute(sql.SQL(shape).format(name) + limit, (i,))


def make_databases(dsn: str, names: Sequence[str], tables: int, statements: int) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE fleet_template")
                         .format(sql.Identifier(name)))
    for name in names:
        run_statements(make_conninfo(dsn, dbname=name), tables, statements)


def postmaster(pg: EmbeddedPostgres) -> int:
    return int((pg.data_dir / "postmaster.pid").read_text().split()[0])


def _stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2:].split()


def process_cpu_s(pid: int, children: bool = False) -> float:
    """User + system CPU of ``pid`` (and of its waited-for children), in seconds."""
    fields = _stat(pid)
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS


def server_cpu_s(master: int) -> float:
    """The postmaster, its live children, and every child that exited (reaped by it)."""
    total = process_cpu_s(master, children=True)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = _stat(int(entry.name))
                if int(fields[1]) == master:
                    total += (int(fields[11]) + int(fields[12])) / TICKS
            except (OSError, ValueError, IndexError):
                continue
    return total


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pgwatch_connections(dsns: Sequence[str]) -> int:
    count = 0
    for dsn in dsns:
        with psycopg.connect(dsn, application_name="fleet-bench") as conn:
            row = conn.execute("SELECT count(*) FROM pg_stat_activity "
                               "WHERE application_name = 'pgwatch'").fetchone()
            count += int(row[0]) if row else 0
    return count


def counter_sum(body: bytes, name: str, collector: str = "") -> float:
    wanted = f'collector="{collector}"'.encode()
    return sum(float(line.rsplit(b" ", 1)[1]) for line in body.splitlines()
               if line.startswith(name.encode() + b"{") and (not collector or wanted in line))


def sweeps(log: str) -> tuple[float, ...]:
    """The wall time of every 60 s sweep, from the daemon's debug log."""
    found = re.findall(r"database\(s\) swept in ([0-9.]+) s \(every 60 s", log)
    return tuple(float(seconds) for seconds in found)


def skipped(body: bytes) -> tuple[str, ...]:
    """The collectors the daemon skipped, with its reason, from a scrape."""
    found = re.findall(rb'^pgwatch_collector_skipped\{[^}]*collector="([^"]+)",'
                       rb'reason="([^"]*)"\} 1\.0$', body, re.MULTILINE)
    return tuple(sorted({f"{c.decode()}: {r.decode()}" for c, r in found}))


def sweep_query_s(body: bytes) -> float:
    """Mean query seconds per run of the 60 s per-database collectors, summed over them."""
    total = 0.0
    for collector in ("tables", "indexes"):
        runs = counter_sum(body, "pgwatch_collector_duration_seconds_count", collector)
        if runs:
            total += counter_sum(body, "pgwatch_collector_duration_seconds_sum", collector) / runs
    return total


@dataclass(frozen=True, slots=True)
class Result:
    """One phase's figures."""

    name: str
    minutes: float
    pgwatch_cpu_per_min: float
    server_cpu_per_min: float
    idle_server_cpu_per_min: float
    peak_rss_mb: float
    connections_max: int
    connections_median: float
    scrape_ms_median: float
    scrape_ms_max: float
    samples: int
    runs: float
    errors: float
    overruns: float
    sweep_query_s: float
    sweep_s: tuple[float, ...]  # wall time of each 60 s sweep over all databases
    store: tuple[StoreSample, ...]
    steady_s: float  # the store's growth is fitted from here on
    retention_passes: int
    load_1m: tuple[float, ...]  # the machine's 1-minute load average, every 5 s
    skipped: tuple[str, ...]  # collectors the daemon skipped, and why

    @property
    def growth(self) -> StoreGrowth:
        return growth(self.store, self.steady_s)

    def rows(self) -> list[str]:
        net = self.server_cpu_per_min - self.idle_server_cpu_per_min
        return [
            f"| pgwatch CPU | {self.pgwatch_cpu_per_min:.2f} s/min "
            f"({self.pgwatch_cpu_per_min / 60:.1%} of one core) |",
            f"| servers' CPU, less their idle baseline | {net:.2f} s/min (gross "
            f"{self.server_cpu_per_min:.2f}, idle {self.idle_server_cpu_per_min:.2f}) |",
            f"| pgwatch peak RSS | {self.peak_rss_mb:.0f} MB |",
            f"| connections held by pgwatch | max {self.connections_max}, median "
            f"{self.connections_median:.0f} |",
            *self.store_rows(),
            f"| scrape | median {self.scrape_ms_median:.0f} ms, max {self.scrape_ms_max:.0f} ms, "
            f"{self.samples:,} samples |",
            f"| collector runs / errors / overruns | {self.runs:.0f} / {self.errors:.0f} / "
            f"{self.overruns:.0f} |",
            f"| tables + indexes query time per run (all databases of a target) | "
            f"{self.sweep_query_s:.2f} s |",
            *([f"| 60 s sweep over all databases (connections included) | median "
               f"{statistics.median(self.sweep_s):.1f} s, max {max(self.sweep_s):.1f} s |"]
              if self.sweep_s else []),
            f"| machine's load average (1 min) during the run | min {min(self.load_1m):.2f}, "
            f"median {statistics.median(self.load_1m):.2f}, max {max(self.load_1m):.2f} |",
            f"| collectors skipped | {'; '.join(self.skipped) or 'none'} |",
        ]

    def store_rows(self) -> list[str]:
        g = self.growth
        return [
            f"| store, bytes in use | {g.used_mb:.2f} MB after {self.minutes:.0f} min "
            f"(files {g.file_mb:.2f} MB, at most {g.file_max_mb:.2f} MB with the WAL; "
            f"{self.retention_passes} retention pass(es)) |",
            f"| store growth, linear fit after {self.steady_s:.0f} s | {g.used_mb_per_day:.1f} "
            f"MB/day in use ({g.samples_per_day:,.0f} samples/day at {g.sample_bytes:.1f} "
            "bytes) |",
            f"| store per day in the first week (arithmetic) | {g.first_week_mb_per_day:.1f} MB "
            f"(the fit + 2 per-object snapshot sets of {g.snapshot_set_mb:.2f} MB + "
            f"{g.rollup_mb_per_day:.2f} MB of hourly roll-ups) |",
            f"| store held after 7 / 90 days (arithmetic) | {g.held_mb(7, self.minutes):.0f} MB "
            f"/ {g.held_mb(90, self.minutes):.0f} MB (raw samples and snapshots kept 7 days, "
            "roll-ups 90) |",
        ]


def load_result(data: dict[str, Any]) -> Result:
    """A ``Result`` from the JSON ``--save`` wrote."""
    fields = dict(data)
    fields["store"] = tuple(StoreSample(**sample) for sample in fields["store"])
    fields["sweep_s"] = tuple(fields["sweep_s"])
    fields["load_1m"] = tuple(fields["load_1m"])
    fields["skipped"] = tuple(fields["skipped"])
    return Result(**fields)


def write_config(folder: Path, targets: str, port: int) -> Path:
    config = folder / "pgwatch.yaml"
    config.write_text(f"targets:\n{targets}store:\n  path: {folder / 'history.db'}\n"
                      f"http:\n  listen: 127.0.0.1:{port}\n")
    return config


def target_yaml(name: str, dsn: str, databases: bool) -> str:
    params = conninfo_to_dict(dsn)
    text = (f"  - name: {name}\n    host: 127.0.0.1\n    port: {params['port']}\n"
            f"    dbname: {params['dbname']}\n    user: {params['user']}\n"
            f"    password: '{params['password']}'\n")
    if databases:
        text += "    databases: {include: ['fleet_*'], exclude: [fleet_template], max: 1000}\n"
    return text


def scrape(port: int) -> tuple[float, bytes]:
    began = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=60) as answer:
        body = bytes(answer.read())
    return (time.perf_counter() - began) * 1000, body


class Watch:
    """What is sampled while pgwatch runs: every 5 s, the store every 30 s, a scrape every 15."""

    def __init__(self, pid: int, store: Path, admin_dsns: Sequence[str], port: int) -> None:
        self.pid, self.store_path, self.admin_dsns, self.port = pid, store, admin_dsns, port
        self.began = time.monotonic()
        self.peak = 0.0
        self.connections: list[int] = []
        self.scrapes: list[float] = []
        self.body = b""
        self.store: list[StoreSample] = []
        self.load: list[float] = []
        self._next_scrape = self.began + SCRAPE_EVERY_S
        self._next_store = self.began + STORE_EVERY_S

    def run(self, seconds: float) -> None:
        while time.monotonic() - self.began < seconds:
            time.sleep(5)
            self.peak = max(self.peak, rss_mb(self.pid))
            self.connections.append(pgwatch_connections(self.admin_dsns))
            self.load.append(os.getloadavg()[0])
            now = time.monotonic()
            if now >= self._next_scrape:
                elapsed_ms, self.body = scrape(self.port)
                self.scrapes.append(elapsed_ms)
                self._next_scrape += SCRAPE_EVERY_S
            if now >= self._next_store:
                self.sample_store()
                self._next_store += STORE_EVERY_S

    def sample_store(self) -> None:
        sample = read_store(self.store_path, time.monotonic() - self.began)
        if sample is not None:
            self.store.append(sample)


def measure(name: str, config: Path, port: int, masters: Sequence[int], *,
            admin_dsns: Sequence[str], minutes: float) -> Result:
    """Idle baseline, then ``pgwatch run`` for ``minutes``, sampled every few seconds."""
    idle_began, idle_cpu = time.monotonic(), sum(server_cpu_s(m) for m in masters)
    time.sleep(30)
    idle = (sum(server_cpu_s(m) for m in masters) - idle_cpu) \
        / (time.monotonic() - idle_began) * 60
    log_path = config.parent / "log"
    process = subprocess.Popen([sys.executable, "-m", "pgwatch", "run", "-c", str(config),
                                "--log-level", "debug"],
                               stdout=subprocess.DEVNULL, stderr=log_path.open("w"))
    server0 = sum(server_cpu_s(m) for m in masters)
    watch = Watch(process.pid, config.parent / "history.db", admin_dsns, port)
    try:
        watch.run(minutes * 60)
        elapsed_min = (time.monotonic() - watch.began) / 60
        ours = process_cpu_s(process.pid) / elapsed_min
        servers = (sum(server_cpu_s(m) for m in masters) - server0) / elapsed_min
        watch.sample_store()
    finally:
        process.terminate()
        process.wait(timeout=120)
    log = log_path.read_text(errors="replace")
    totals = {n: counter_sum(watch.body, f"pgwatch_collector_{n}_total")
              for n in ("runs", "errors", "overruns")}
    # The store's growth is fitted after the first cycles, which also write every
    # per-object snapshot (and run the 30-minute and 6-hour collectors once).
    return Result(name, elapsed_min, ours, servers, idle, watch.peak, max(watch.connections),
                  statistics.median(watch.connections), statistics.median(watch.scrapes),
                  max(watch.scrapes),
                  sum(1 for line in watch.body.splitlines() if line and not line.startswith(b"#")),
                  totals["runs"], totals["errors"], totals["overruns"], sweep_query_s(watch.body),
                  sweeps(log), tuple(watch.store), min(120.0, minutes * 60 * 0.3),
                  log.count("store retention took"), tuple(watch.load), skipped(watch.body))


@contextmanager
def servers(count: int) -> Iterator[list[EmbeddedPostgres]]:
    with ExitStack() as stack:
        yield [stack.enter_context(EmbeddedPostgres(18, settings=SETTINGS))
               for _ in range(count)]


def databases_phase(args: argparse.Namespace) -> Result:
    with servers(1) as (pg,):
        build_template(pg.dsn(), args.tables)
        names = [f"fleet_{i:04d}" for i in range(args.databases)]
        make_databases(pg.dsn(), names, args.tables, args.statements)
        folder = Path(tempfile.mkdtemp(prefix="pgwatch-fleet-bench-"))
        try:
            port = free_port()
            config = write_config(folder, target_yaml("fleet", pg.dsn(), True), port)
            return measure(f"{args.databases} databases on one instance", config, port,
                           [postmaster(pg)], admin_dsns=[pg.dsn()], minutes=args.minutes)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def instances_phase(args: argparse.Namespace) -> Result:
    with servers(args.instances) as pgs:
        targets = ""
        for number, pg in enumerate(pgs):
            build_template(pg.dsn(), args.tables)
            make_databases(pg.dsn(), ["fleet_app"], args.tables, args.statements)
            targets += target_yaml(f"instance-{number:02d}", pg.dsn("fleet_app"), False)
        folder = Path(tempfile.mkdtemp(prefix="pgwatch-fleet-bench-"))
        try:
            port = free_port()
            config = write_config(folder, targets, port)
            return measure(f"{args.instances} instances, one database each", config, port,
                           [postmaster(pg) for pg in pgs],
                           admin_dsns=[pg.dsn() for pg in pgs], minutes=args.minutes)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


CORE_SHARE = 0.10  # the aim per process: under 10 % of one core, 6 CPU s/min
SCRAPE_INTERVAL_S = 30.0


def arithmetic(many: Result, databases: int, fleet: Result, instances: int) -> list[str]:
    """What 1,000 databases need, by proportion from the two measured phases."""
    budget = CORE_SHARE * 60
    rows = ["| 1,000 databases laid out as | pgwatch CPU | processes at < 10 % of a core | "
            "servers' CPU | store per day, first week | store held after 7 days | "
            "samples per scrape | samples/s at a 30 s scrape |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for label, result, per in ((f"{1000 // databases} instances x {databases} databases",
                                many, databases), ("1,000 instances x 1 database", fleet,
                                                   instances)):
        scale = 1000 / per
        cpu = result.pgwatch_cpu_per_min * scale
        server = (result.server_cpu_per_min - result.idle_server_cpu_per_min) * scale
        samples = result.samples * scale
        g = result.growth
        rows.append(f"| {label} | {cpu:.0f} s/min | {max(1, -(-cpu // budget)):.0f} | "
                    f"{server:.0f} s/min | {_size(g.first_week_mb_per_day * scale)} | "
                    f"{_size(g.held_mb(7, result.minutes) * scale)} | "
                    f"{samples:,.0f} | {samples / SCRAPE_INTERVAL_S:,.0f} |")
    return rows


def _size(mb: float) -> str:
    return f"{mb / 1000:.1f} GB" if mb >= 1000 else f"{mb:.0f} MB"


def report(result: Result, args: argparse.Namespace, began: float) -> None:
    print(f"\n{result.name}: {args.tables} tables and {args.statements} statements per "
          f"database, PostgreSQL 18, default intervals, {result.minutes:.1f} min "
          f"({time.monotonic() - began:.0f} s in all with the builds)\n")
    print("| measure | value |\n| --- | --- |")
    print("\n".join(result.rows()))
    print("\nThe store, read every 30 s (retention runs every 10 min):\n")
    print("\n".join(store_timeline(result.store)))
    print(f"\nThe store after {result.minutes:.0f} min, by table:\n")
    print("\n".join(store_tables(result.store[-1])), flush=True)


def print_arithmetic(results: Sequence[Result], args: argparse.Namespace) -> None:
    print("\nArithmetic from these measurements (linear in databases or instances):\n")
    print("\n".join(arithmetic(results[0], args.databases, results[1], args.instances)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--phase", choices=("databases", "instances", "both"), default="both")
    parser.add_argument("--databases", type=int, default=100)
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument("--tables", type=int, default=50)
    parser.add_argument("--statements", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--together", action="store_true",
                        help="run both phases at the same time (on a machine in a hurry)")
    parser.add_argument("--save", type=Path, help="write the results as JSON to this file")
    parser.add_argument("--arithmetic", type=Path, nargs=2, metavar=("DATABASES", "INSTANCES"),
                        help="print the 1,000-database arithmetic from two saved phases")
    args = parser.parse_args(argv)
    if args.arithmetic:
        print_arithmetic([load_result(json.loads(path.read_text())[0])
                          for path in args.arithmetic], args)
        return
    phases = {"databases": [databases_phase], "instances": [instances_phase],
              "both": [databases_phase, instances_phase]}[args.phase]
    began = time.monotonic()
    if args.together:  # both phases at once: each one's CPU is its own, the cores are shared
        with ThreadPoolExecutor(len(phases)) as pool:
            results = list(pool.map(lambda phase: phase(args), phases))
    else:
        results = [phase(args) for phase in phases]
    if args.save:
        args.save.write_text(json.dumps([asdict(result) for result in results]))
    for result in results:
        report(result, args, began)
    if len(results) == 2:
        print_arithmetic(results, args)


if __name__ == "__main__":
    main()
