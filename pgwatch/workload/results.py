"""What a benchmark run measured: per scenario, per phase (before/after migrations), per run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pgwatch.workload import stats
from pgwatch.workload.catalog import LIVE_SUFFIX
from pgwatch.workload.grading import grade

SAMPLES_KEPT = 2000


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """Latency percentiles, throughput and grade of one scenario in one phase."""

    name: str
    category: str
    calls: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    throughput_per_s: float
    grade: str
    samples_ms: tuple[float, ...] = ()
    first_error: str = ""
    # "live" (the same query text in every phase) or "tuned" (the tuned schema's read).
    form: str = "live"

    @property
    def reference(self) -> bool:
        """A ``<name>:live`` row: shown beside its tuned form, kept out of medians and verdicts."""
        return self.name.endswith(LIVE_SUFFIX)

    @classmethod
    def from_samples(cls, name: str, category: str, samples_ms: Sequence[float], *,
                     errors: int, seconds: float, first_error: str = "",
                     form: str = "live") -> ScenarioResult:
        """Summarise raw latencies (milliseconds) measured over ``seconds`` of wall time."""
        if samples_ms:
            p50, p95, p99 = (stats.percentile(samples_ms, q) for q in (50, 95, 99))
            mean = sum(samples_ms) / len(samples_ms)
        else:
            p50 = p95 = p99 = mean = float("nan")
        kept = tuple(round(value, 4) for value in stats.subsample(samples_ms, SAMPLES_KEPT))
        return cls(name, category, len(samples_ms), errors, seconds, p50, p95, p99, mean,
                   len(samples_ms) / seconds if seconds > 0 else 0.0,
                   grade(category, p95, len(samples_ms), errors), kept, first_error, form)


@dataclass(frozen=True, slots=True)
class PhaseResult:
    """Every scenario measured on one schema state, e.g. ``before`` or ``after``."""

    name: str
    scenarios: tuple[ScenarioResult, ...]

    def get(self, name: str) -> ScenarioResult | None:
        """The result of the scenario called ``name``, if it ran in this phase."""
        return next((result for result in self.scenarios if result.name == name), None)


@dataclass(frozen=True, slots=True)
class BenchRun:
    """One invocation of ``pgwatch bench``."""

    created_at: str
    server_version: str
    scale: float
    duration_s: float
    concurrency: int
    load_seconds: float | None
    phases: tuple[PhaseResult, ...]
    rows: dict[str, int] = field(default_factory=dict)
    migrate_seconds: float | None = None
    # Per materialized view read by a tuned form: seconds a REFRESH ... CONCURRENTLY took
    # right before the phase that read it (how stale a tuned read can be, at least).
    refresh_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def last(self) -> PhaseResult:
        """The phase a baseline comparison looks at: the final schema state measured."""
        return self.phases[-1]
