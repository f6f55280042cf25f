"""Every default rule evaluated inside ``pgwatch run`` on a target with 10,000 tables and
10,000 statements: time per evaluation cycle, memory the window adds, daemon RSS.

Builds the database of ``daemon_bench`` (embedded PostgreSQL 15), runs ``pgwatch run`` with
the default intervals and ``alerting.rules: [rules/]`` for ``--seconds`` (default 330: every
collector has run), reads ``pgwatch_rule_evaluation_duration_seconds`` from /metrics every
5 s (one value per cycle), samples the daemon's RSS, and reads each rule's evaluationTime
from /api/v1/rules. The window's memory is measured with tracemalloc on a SeriesWindow fed
with the daemon's own last /metrics page once per evaluation interval for as long as the
rules' longest range needs (the steady state, which the daemon reaches only after that long).
Prints Markdown; asserts nothing.

    python -m benchmarks.alerting_bench [--tables 10000] [--statements 10000] [--seconds 330]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from benchmarks.collector_bench import SERVER_SETTINGS, build, rss_mb, scrape
from benchmarks.daemon_bench import write_config
from pgwatch.alerting.model import Labels
from pgwatch.alerting.promql import SeriesWindow, metric_names, parse, window_needed_ms
from pgwatch.alerting.rules import default_rules_dir, load_rules
from pgwatch.embedded import EmbeddedPostgres, free_port

INTERVAL_S = 30.0


def with_alerting(config: Path) -> Path:
    with config.open("a", encoding="utf-8") as out:
        out.write(f"alerting:\n  rules: [{default_rules_dir()}]\n"
                  f"  evaluation_interval: {INTERVAL_S:g}s\n")
    return config


def gauge(body: bytes, name: str) -> float | None:
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def rule_times(port: int) -> list[tuple[float, str]]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/rules", timeout=10) as answer:
        groups = json.loads(answer.read())["data"]["groups"]
    return sorted(((r["evaluationTime"], r["name"]) for g in groups for r in g["rules"]),
                  reverse=True)


def run_daemon(dsn: str, seconds: float) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="pgwatch-alerting-bench-"))
    port = free_port()
    config = with_alerting(write_config(folder, dsn, port))
    process = subprocess.Popen([sys.executable, "-m", "pgwatch", "run", "-c", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cycles: list[float] = []
    peak, body, slowest = 0.0, b"", []
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(5)
            peak = max(peak, rss_mb(process.pid))
            try:
                body = scrape(port)
            except OSError:
                continue
            value = gauge(body, "pgwatch_rule_evaluation_duration_seconds")
            if value and (not cycles or value != cycles[-1]):
                cycles.append(value)
        slowest = rule_times(port)[:5]
    finally:
        process.terminate()
        process.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
    return {"cycles": cycles, "rss": peak, "body": body, "slowest": slowest,
            "window_samples": gauge(body, "pgwatch_rule_window_samples") or 0}


def samples_of(body: bytes) -> list[tuple[Labels, float]]:
    found = []
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            labels = {**sample.labels, "__name__": sample.name}
            found.append((tuple(sorted(labels.items())), float(sample.value)))
    return found


def window_memory(body: bytes) -> tuple[float, int, int, float]:
    """MB a full window of the loaded rules holds, its series and points, its span (s)."""
    exprs = [parse(r.expr) for g in load_rules([default_rules_dir()]) for r in g.rules]
    keep = frozenset[str]().union(*(metric_names(e) for e in exprs))
    span_ms = max(window_needed_ms(e) for e in exprs)
    samples = samples_of(body)
    tracemalloc.start()
    window = SeriesWindow(keep)
    start = 1_700_000_000_000
    for n in range(int(span_ms / (INTERVAL_S * 1000)) + 1):
        at = start + n * int(INTERVAL_S * 1000)
        window.scrape(at, [(labels, value + n) for labels, value in samples], "/metrics")
        window.trim(at - span_ms)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return current / 1e6, window.series_count(), window.point_count(), span_ms / 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=330.0)
    args = parser.parse_args(argv)
    with EmbeddedPostgres(15, settings=SERVER_SETTINGS) as pg:
        build(pg.dsn(), args.tables, args.statements)
        result = run_daemon(pg.dsn(), args.seconds)
    mb, series, points, span = window_memory(result["body"])
    cycles = [c * 1000 for c in result["cycles"]]
    rules = sum(len(g.rules) for g in load_rules([default_rules_dir()]))
    print(f"\n{args.tables:,} tables, {args.statements:,} statements, PostgreSQL 15, "
          f"{rules} default rules every {INTERVAL_S:g} s, pgwatch run for {args.seconds:.0f} s\n")
    print("| measure | value |\n| --- | ---: |")
    if cycles:
        median = statistics.median(cycles)
        print(f"| evaluation cycle, median (n={len(cycles)}) | {median:.1f} ms |")
        print(f"| evaluation cycle, max | {max(cycles):.1f} ms |")
    print(f"| samples in the window at the end of the run | {result['window_samples']:,.0f} |")
    print(f"| full window ({span:.0f} s): series / points | {series:,} / {points:,} |")
    print(f"| full window: memory (tracemalloc) | {mb:.1f} MB |")
    print(f"| daemon peak RSS with alerting on | {result['rss']:.0f} MB |")
    print("\nslowest rules (last cycle): " + ", ".join(
        f"{name} {t * 1000:.1f} ms" for t, name in result["slowest"]))


if __name__ == "__main__":
    main()
