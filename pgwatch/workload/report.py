"""Text output of a bench run: Markdown tables a terminal shows and docs can paste.

Speed-up of a scenario is p50(before) / p50(after); a category's speed-up is the median of
its scenarios' speed-ups. A scenario whose after phase ran its tuned form counts with that
form; its live form's row (``<name>:live``, compared with the same query before) is shown
but left out of the medians. The targets are those of the tuning work the migrations carry.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pgwatch.workload.baseline import ScenarioVerdict
from pgwatch.workload.catalog import LIVE_SUFFIX
from pgwatch.workload.results import BenchRun, PhaseResult
from pgwatch.workload.scales import MAX_P95_RATIO, CategoryVerdict, ScaleRow

# Minimum median speed-up per category, and the largest after/before ratio of insert latency.
TARGETS = {"dashboard": 3.3, "leaderboard": 5.0, "aggregation": 2.9}
INSERT_SCENARIO = "write.activity_insert"
INSERT_TARGET_RATIO = 0.40


def _ms(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(" --- " if i == 0 else " ---: " for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def phase_table(phase: PhaseResult) -> str:
    """Per scenario: calls, throughput, p50/p95/p99 (ms), errors and grade."""
    rows = [(s.name, s.form, s.category, str(s.calls), f"{s.throughput_per_s:.1f}",
             _ms(s.p50_ms), _ms(s.p95_ms), _ms(s.p99_ms), str(s.errors), s.grade)
            for s in phase.scenarios]
    return _table(("scenario", "form", "category", "calls", "per s", "p50 ms", "p95 ms",
                   "p99 ms", "errors", "grade"), rows)


@dataclass(frozen=True, slots=True)
class Speedup:
    """One scenario before and after the migrations."""

    name: str
    category: str
    before_p50_ms: float
    after_p50_ms: float
    before_p95_ms: float
    after_p95_ms: float
    grades: str
    # The form measured after ("live" or "tuned"); False for a ``<name>:live`` reference row.
    form: str = "live"
    counted: bool = True

    @property
    def p50_ratio(self) -> float:
        """How many times faster the median got."""
        return self.before_p50_ms / self.after_p50_ms if self.after_p50_ms > 0 else math.nan

    @property
    def p95_ratio(self) -> float:
        """How many times faster the 95th percentile got."""
        return self.before_p95_ms / self.after_p95_ms if self.after_p95_ms > 0 else math.nan


def speedups(run: BenchRun) -> list[Speedup]:
    """Scenarios measured in both the first and the last phase (``x:live`` against ``x``)."""
    first, last = run.phases[0], run.phases[-1]
    found = []
    for after in last.scenarios:
        before = first.get(after.name.removesuffix(LIVE_SUFFIX))
        if before is not None:
            found.append(Speedup(after.name, before.category, before.p50_ms, after.p50_ms,
                                 before.p95_ms, after.p95_ms, f"{before.grade} -> {after.grade}",
                                 after.form, not after.reference))
    return found


def category_speedups(found: Sequence[Speedup]) -> dict[str, float]:
    """The median p50 speed-up of each category's scenarios."""
    by_category: dict[str, list[float]] = {}
    for item in found:
        if item.counted and not math.isnan(item.p50_ratio):
            by_category.setdefault(item.category, []).append(item.p50_ratio)
    return {name: statistics.median(values) for name, values in sorted(by_category.items())}


def speedup_table(found: Sequence[Speedup]) -> str:
    """Per scenario: p50 and p95 before and after, the ratios, and the grades."""
    rows = [(s.name, s.form if s.counted else "live (not counted)", _ms(s.before_p50_ms),
             _ms(s.after_p50_ms), f"{s.p50_ratio:.2f}x", _ms(s.before_p95_ms),
             _ms(s.after_p95_ms), f"{s.p95_ratio:.2f}x", s.grades)
            for s in found]
    return _table(("scenario", "form after", "p50 before", "p50 after", "p50 speed-up",
                   "p95 before", "p95 after", "p95 speed-up", "grade"), rows)


def _insert_rows(found: Sequence[Speedup],
                 naive_with_indexes_p50_ms: float | None) -> list[tuple[str, str, str, str]]:
    insert = next((s for s in found if s.name == INSERT_SCENARIO), None)
    if insert is None:
        return []
    rows = []
    for label, naive in (("0001", insert.before_p50_ms), ("0001+0002", naive_with_indexes_p50_ms)):
        if naive is None or math.isnan(naive) or naive <= 0:
            continue
        ratio = insert.after_p50_ms / naive
        rows.append((f"activity insert p50, new triggers / naive triggers on {label}",
                     f"{ratio:.1%}" if ratio >= 0.01 else f"{ratio:.3%}",
                     f"<= {INSERT_TARGET_RATIO:.0%}",
                     "met" if ratio <= INSERT_TARGET_RATIO else "MISSED"))
    return rows


def targets_table(found: Sequence[Speedup], naive_with_indexes_p50_ms: float | None = None) -> str:
    """Each category's median speed-up, and the insert latency ratio, against the targets."""
    medians = category_speedups(found)
    rows = []
    for category, value in medians.items():
        target = TARGETS.get(category)
        verdict = "-" if target is None else ("met" if value >= target else "MISSED")
        rows.append((category, f"{value:.2f}x", "-" if target is None else f">= {target}x",
                     verdict))
    rows += _insert_rows(found, naive_with_indexes_p50_ms)
    return _table(("category (median of scenario p50 speed-ups)", "measured", "target",
                   "verdict"), rows)


def verdict_table(verdicts: Sequence[ScenarioVerdict]) -> str:
    """Per scenario: baseline and current p50, the ratio, p-value and the verdict."""
    rows = [(v.name, _ms(v.baseline_p50_ms), _ms(v.current_p50_ms),
             "-" if math.isnan(v.comparison.median_ratio) else f"{v.comparison.median_ratio:.2f}x",
             "-" if math.isnan(v.comparison.p_value) else f"{v.comparison.p_value:.2g}",
             "REGRESSION" if v.comparison.regression else "ok", v.comparison.reason)
            for v in verdicts]
    return _table(("scenario", "baseline p50", "p50", "ratio", "p", "verdict", "why"), rows)


def summary(run: BenchRun) -> str:
    """The whole text report of a run."""
    parts = [f"PostgreSQL {run.server_version}, scale {run.scale:g}, {run.duration_s:g} s per "
             f"scenario, concurrency {run.concurrency}"]
    if run.load_seconds is not None:
        parts.append(f"data load: {run.load_seconds:.1f} s ({run.rows.get('activities', 0):,} "
                     "activities)")
    if run.migrate_seconds is not None:
        parts.append(f"migrations 0002 + 0003 applied in {run.migrate_seconds:.1f} s")
    for view, seconds in sorted(run.refresh_seconds.items()):
        parts.append(f"REFRESH MATERIALIZED VIEW CONCURRENTLY {view}: {seconds:.2f} s")
    for phase in run.phases:
        parts.append(f"\n### phase: {phase.name}\n\n{phase_table(phase)}")
    if len(run.phases) > 1:
        found = speedups(run)
        middle = [p.get(INSERT_SCENARIO) for p in run.phases[1:-1]]
        naive = next((m.p50_ms for m in middle if m is not None), None)
        parts.append(f"\n### speed-up ({run.phases[0].name} -> {run.phases[-1].name})\n\n"
                     f"{speedup_table(found)}\n\n{targets_table(found, naive)}")
    return "\n".join(parts)


def _within(row: ScaleRow) -> str:
    if not row.counted:
        return "(not counted)"
    return "yes" if row.within else "NO"


def scale_table(reference: BenchRun, larger: BenchRun, rows: Sequence[ScaleRow]) -> str:
    """Per scenario: p50 and p95 at both scales, the p95 ratio, and whether it is within 2x."""
    a, b = f"scale {reference.scale:g}", f"scale {larger.scale:g}"
    body = [(r.name, r.form, _ms(r.reference.p50_ms), _ms(r.larger.p50_ms),
             _ms(r.reference.p95_ms), _ms(r.larger.p95_ms),
             "-" if math.isnan(r.p95_ratio) else f"{r.p95_ratio:.2f}x", _within(r))
            for r in rows]
    return _table(("scenario", "form", f"p50 {a}", f"p50 {b}", f"p95 {a}", f"p95 {b}",
                   "p95 ratio", f"within {MAX_P95_RATIO:g}x"), body)


def scale_verdict_table(found: Sequence[CategoryVerdict]) -> str:
    """Per category: how many counted scenarios stayed within the ratio, and the verdict."""
    body = [(v.category, f"{v.within} of {v.counted}",
             "met" if v.met else ("-" if v.counted == 0 else "MISSED")) for v in found]
    return _table(("category", f"p95 within {MAX_P95_RATIO:g}x", "verdict"), body)
