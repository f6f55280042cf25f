"""Memory of the PromQL evaluation window and the time to evaluate typical rules over it.

Fills a ``SeriesWindow`` with 10,000 series (statements and tables of one target, with
pgwatch-like labels) of 120 points each through ``scrape()`` at a 30 s interval, as the
daemon does, measures the memory the window holds with tracemalloc, then times a set of
expressions shaped like the default rules (rates over every series, aggregations, topk,
vector matching, absent).

    python benchmarks/promql_window.py                       # 10,000 series x 120 points
    python benchmarks/promql_window.py --series 2000 --points 60
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc

from pgwatch.alerting.promql import SeriesWindow, evaluate, parse

INTERVAL_MS = 30_000
START_MS = 1_790_000_000_000
MB = 1_000_000

EXPRESSIONS = (
    'rate(pgwatch_statement_calls_total[5m])',
    'sum by (datname) (rate(pgwatch_statement_exec_seconds_total[5m]))',
    'topk(10, rate(pgwatch_statement_exec_seconds_total[10m]))',
    'increase(pgwatch_table_n_dead_tup_total[30m]) > 1000',
    'pgwatch_table_n_dead_tup_total / on(target, schema, table) '
    '(pgwatch_table_n_live_tup + 1) > 0.2',
    'max_over_time(pgwatch_table_n_live_tup[15m])',
    'absent(pgwatch_up{target="main"})',
    'count(pgwatch_table_n_live_tup > 100) by (target)',
)


def _families(series: int) -> list[tuple[str, list[tuple[str, str]]]]:
    """Label sets shaped like pgwatch's: per statement and per table series."""
    per_family = series // 5
    out: list[tuple[str, list[tuple[str, str]]]] = []
    for i in range(per_family):
        stmt = [("datname", f"db{i % 4}"), ("queryid", str(7_000_000_000 + i * 7919)),
                ("target", "main"), ("user", f"u{i % 7}")]
        out.append(("pgwatch_statement_calls_total", stmt))
        out.append(("pgwatch_statement_exec_seconds_total", stmt))
        table = [("schema", "public"), ("table", f"table_{i:05d}"), ("target", "main")]
        out.append(("pgwatch_table_n_dead_tup_total", table))
        out.append(("pgwatch_table_n_live_tup", table))
        out.append(("pgwatch_table_seq_scan_total", table))
    return out


def fill(series: int, points: int) -> SeriesWindow:
    """A window after ``points`` scrapes of ``series`` series. Each scrape builds its label
    sets anew, as the daemon's sampling of its registry does."""
    window = SeriesWindow()
    for step in range(points):
        ts = START_MS + step * INTERVAL_MS
        samples = [(tuple(sorted([("__name__", name), *labels])), float(step * (i % 97 + 1)))
                   for i, (name, labels) in enumerate(_families(series))]
        window.scrape(ts, samples, "main")
    return window


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    gc.collect()
    tracemalloc.start()
    window = fill(args.series, args.points)
    gc.collect()
    held, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"window: {window.series_count()} series, {window.point_count()} points, "
          f"{held / MB:.1f} MB held ({held / window.point_count():.1f} bytes a point)")

    at = START_MS + (args.points - 1) * INTERVAL_MS
    label_sets = [tuple(sorted([("__name__", name), *labels]))
                  for name, labels in _families(args.series)]
    samples = [(labels, 1.0) for labels in label_sets]
    cpu = time.process_time()
    for step in range(args.repeat):
        window.scrape(at + (step + 1) * INTERVAL_MS, samples, "main")
        window.trim(at + (step + 1) * INTERVAL_MS - args.points * INTERVAL_MS)
    per_scrape = (time.process_time() - cpu) / args.repeat * 1000
    print(f"scrape() + trim() of {len(samples)} samples: {per_scrape:.1f} ms CPU each")
    at += args.repeat * INTERVAL_MS
    total_wall = total_cpu = 0.0
    print("    wall      cpu  (median of each; cpu = this process, less the machine's load)")
    for text in EXPRESSIONS:
        expr = parse(text)
        walls, cpus = [], []
        for _ in range(args.repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            evaluate(expr, window, at)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        wall_ms, cpu_ms = statistics.median(walls) * 1000, statistics.median(cpus) * 1000
        total_wall += wall_ms
        total_cpu += cpu_ms
        print(f"{wall_ms:7.1f}ms {cpu_ms:7.1f}ms  {text}")
    print(f"{total_wall:7.1f}ms {total_cpu:7.1f}ms  all {len(EXPRESSIONS)} expressions")


if __name__ == "__main__":
    main()
