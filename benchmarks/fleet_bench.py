"""What a fleet costs: one pgwatch process watching many databases, or many instances.

Phase ``databases``: one embedded PostgreSQL 18 with ``--databases`` databases (default
100), each with ``--tables`` tables (default 50, with a primary key and one more index)
and ``--statements`` distinct statements run once (default 100), watched by one target
with ``databases: {include: [fleet_*]}``. Phase ``instances``: ``--instances`` embedded
servers (default 20) with one such database each, one target per server. Each phase runs
``pgwatch run`` at the default intervals for ``--minutes`` (default 10) after measuring the
idle servers for 30 s, and reports per minute: CPU seconds of pgwatch and of the servers
(postmaster and every backend, those that exited included, less the idle baseline), peak
RSS, pgwatch's connections, store growth, the scrape's time and samples, and the
collector runs, errors and overruns. It prints Markdown and asserts nothing.

    python -m benchmarks.fleet_bench [--phase databases|instances|both] [--minutes 10]
                                     [--together]
"""

from __future__ import annotations

import argparse
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
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pgwatch.embedded import EmbeddedPostgres, free_port

SETTINGS = {"pg_stat_statements.max": "20000", "max_connections": "200"}
TICKS = os.sysconf("SC_CLK_TCK")
SCRAPE_EVERY_S = 15.0


def build_template(dsn: str, tables: int) -> None:
    """Database ``fleet_template``: ``tables`` tables of 100 rows, two indexes each."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE DATABASE fleet_template")
    with psycopg.connect(make_conninfo(dsn, dbname="fleet_template"), autocommit=True) as conn:
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
    store_mb: float
    store_mb_per_day: float
    scrape_ms_median: float
    scrape_ms_max: float
    samples: int
    runs: float
    errors: float
    overruns: float
    sweep_query_s: float
    sweep_s: tuple[float, ...]  # wall time of each 60 s sweep over all databases

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
            f"| store | {self.store_mb:.1f} MB after {self.minutes:.0f} min; growing "
            f"{self.store_mb_per_day:.0f} MB/day after the first cycles (before hourly "
            "roll-ups and the 7-day raw retention) |",
            f"| scrape | median {self.scrape_ms_median:.0f} ms, max {self.scrape_ms_max:.0f} ms, "
            f"{self.samples:,} samples |",
            f"| collector runs / errors / overruns | {self.runs:.0f} / {self.errors:.0f} / "
            f"{self.overruns:.0f} |",
            f"| tables + indexes query time per run (all databases of a target) | "
            f"{self.sweep_query_s:.2f} s |",
            *([f"| 60 s sweep over all databases (connections included) | median "
               f"{statistics.median(self.sweep_s):.1f} s, max {max(self.sweep_s):.1f} s |"]
              if self.sweep_s else []),
        ]


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


def store_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.glob("history.db*")) / 1e6


def scrape(port: int) -> tuple[float, bytes]:
    began = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=60) as answer:
        body = bytes(answer.read())
    return (time.perf_counter() - began) * 1000, body


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
    began, server0 = time.monotonic(), sum(server_cpu_s(m) for m in masters)
    peak, connections, scrapes, body = 0.0, [], [], b""
    # Store growth is measured after the first cycles, which also write every per-object
    # snapshot (and run the 30-minute and 6-hour collectors once).
    steady_at = began + min(120.0, minutes * 60 * 0.3)
    steady: tuple[float, float] | None = None
    try:
        next_scrape = began + SCRAPE_EVERY_S
        while time.monotonic() - began < minutes * 60:
            time.sleep(5)
            if steady is None and time.monotonic() >= steady_at:
                steady = (time.monotonic(), store_mb(config.parent))
            peak = max(peak, rss_mb(process.pid))
            connections.append(pgwatch_connections(admin_dsns))
            if time.monotonic() >= next_scrape:
                elapsed_ms, body = scrape(port)
                scrapes.append(elapsed_ms)
                next_scrape += SCRAPE_EVERY_S
        elapsed_min = (time.monotonic() - began) / 60
        ours = process_cpu_s(process.pid) / elapsed_min
        servers = (sum(server_cpu_s(m) for m in masters) - server0) / elapsed_min
        size = store_mb(config.parent)
        assert steady is not None
        per_day = (size - steady[1]) / (time.monotonic() - steady[0]) * 86400
    finally:
        process.terminate()
        process.wait(timeout=120)
    totals = {n: counter_sum(body, f"pgwatch_collector_{n}_total")
              for n in ("runs", "errors", "overruns")}
    return Result(name, elapsed_min, ours, servers, idle, peak, max(connections),
                  statistics.median(connections), size, per_day,
                  statistics.median(scrapes), max(scrapes),
                  sum(1 for line in body.splitlines() if line and not line.startswith(b"#")),
                  totals["runs"], totals["errors"], totals["overruns"], sweep_query_s(body),
                  sweeps(log_path.read_text(errors="replace")))


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
            "servers' CPU | store growth | samples per scrape | samples/s at a 30 s scrape |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for label, result, per in ((f"{1000 // databases} instances x {databases} databases",
                                many, databases), ("1,000 instances x 1 database", fleet,
                                                   instances)):
        scale = 1000 / per
        cpu = result.pgwatch_cpu_per_min * scale
        server = (result.server_cpu_per_min - result.idle_server_cpu_per_min) * scale
        samples = result.samples * scale
        rows.append(f"| {label} | {cpu:.0f} s/min | {max(1, -(-cpu // budget)):.0f} | "
                    f"{server:.0f} s/min | {result.store_mb_per_day * scale / 1000:.1f} GB/day |"
                    f" {samples:,.0f} | {samples / SCRAPE_INTERVAL_S:,.0f} |")
    return rows


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
    args = parser.parse_args(argv)
    phases = {"databases": [databases_phase], "instances": [instances_phase],
              "both": [databases_phase, instances_phase]}[args.phase]
    began = time.monotonic()
    if args.together:  # both phases at once: each one's CPU is its own, the cores are shared
        with ThreadPoolExecutor(len(phases)) as pool:
            results = list(pool.map(lambda phase: phase(args), phases))
    else:
        results = [phase(args) for phase in phases]
    for result in results:
        print(f"\n{result.name}: {args.tables} tables and {args.statements} statements per "
              f"database, PostgreSQL 18, default intervals, {result.minutes:.1f} min "
              f"({time.monotonic() - began:.0f} s in all with the builds)\n")
        print("| measure | value |\n| --- | --- |")
        print("\n".join(result.rows()), flush=True)
    if len(results) == 2:
        print("\nArithmetic from these measurements (linear in databases or instances):\n")
        print("\n".join(arithmetic(results[0], args.databases, results[1], args.instances)))


if __name__ == "__main__":
    main()
