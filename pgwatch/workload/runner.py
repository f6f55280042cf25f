"""The benchmark harness: N threads, one connection each, hammering one scenario at a time.

Scenarios run one after the other, each for the whole duration on every thread, so a
scenario's latencies are measured without another scenario's locks or cache effects in
the same window. Read scenarios go first and writes last, so every read of a phase sees
the same data. Each thread makes ``warmup_calls`` unrecorded calls first (connection
caches, plan caching after psycopg's prepare threshold).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import psycopg

from pgwatch.db.session import SessionSettings, connect
from pgwatch.workload.catalog import Scenario
from pgwatch.workload.results import PhaseResult, ScenarioResult

log = logging.getLogger(__name__)

Connection = psycopg.Connection[tuple[object, ...]]


class Parameters(Protocol):
    """Draws the parameter values of one call of a scenario."""

    def draw(self, scenario: Scenario, rng: random.Random) -> Mapping[str, object]:
        """Values for every ``%(name)s`` of ``scenario``."""
        ...


@dataclass(frozen=True, slots=True)
class RunSettings:
    """How long and how hard each scenario is driven."""

    duration_s: float = 10.0
    concurrency: int = 4
    warmup_calls: int = 1
    statement_timeout_ms: int = 120_000
    seed: int = 1


@dataclass(slots=True)
class _Tally:
    """What one thread measured; merged after the threads have joined."""

    samples_ms: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""


def _session(settings: RunSettings) -> SessionSettings:
    return SessionSettings(read_only=False, untracked=False,
                           statement_timeout_ms=settings.statement_timeout_ms,
                           lock_timeout_ms=settings.statement_timeout_ms)


def _call(conn: Connection, scenario: Scenario, values: Mapping[str, object]) -> None:
    with conn.cursor() as cursor:
        cursor.execute(scenario.sql.encode(), values)
        if cursor.description is not None:
            cursor.fetchall()


@dataclass(frozen=True, slots=True)
class _Job:
    """What every thread driving one scenario shares."""

    scenario: Scenario
    params: Parameters
    settings: RunSettings
    start: threading.Barrier
    deadline: list[float]


def _worker(job: _Job, conn: Connection, rng: random.Random, tally: _Tally) -> None:
    for _ in range(job.settings.warmup_calls):
        _measure(conn, job.scenario, job.params, rng, _Tally())
    job.start.wait()
    while time.perf_counter() < job.deadline[0]:
        _measure(conn, job.scenario, job.params, rng, tally)


def _measure(conn: Connection, scenario: Scenario, params: Parameters, rng: random.Random,
             tally: _Tally) -> None:
    values = params.draw(scenario, rng)
    began = time.perf_counter()
    try:
        _call(conn, scenario, values)
    except psycopg.Error as exc:
        tally.errors += 1
        if not tally.first_error:
            tally.first_error = " ".join(str(exc).split())[:300]
        return
    tally.samples_ms.append((time.perf_counter() - began) * 1000.0)


def run_scenario(conns: Sequence[Connection], scenario: Scenario, params: Parameters,
                 settings: RunSettings) -> ScenarioResult:
    """Drive ``scenario`` from one thread per connection for ``settings.duration_s``."""
    tallies = [_Tally() for _ in conns]
    deadline = [0.0]
    # The last party to arrive sets the deadline, so warm-up time is never measured.
    start = threading.Barrier(len(conns), action=lambda: deadline.__setitem__(
        0, time.perf_counter() + settings.duration_s))
    job = _Job(scenario, params, settings, start, deadline)
    # Seeded per thread so that two runs draw the same parameter sequence; not cryptographic.
    threads = [threading.Thread(
        target=_worker, name=f"bench-{scenario.name}-{index}",
        args=(job, conn, random.Random(settings.seed * 1000 + index), tally))
        for index, (conn, tally) in enumerate(zip(conns, tallies, strict=True))]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - max(deadline[0] - settings.duration_s, began)
    samples = [value for tally in tallies for value in tally.samples_ms]
    first_error = next((t.first_error for t in tallies if t.first_error), "")
    if first_error:
        log.warning("scenario %s: %d errors, first: %s", scenario.name,
                    sum(t.errors for t in tallies), first_error)
    return ScenarioResult.from_samples(scenario.name, scenario.category, samples,
                                       errors=sum(t.errors for t in tallies), seconds=elapsed,
                                       first_error=first_error, form=scenario.form)


def run_phase(dsn: str, name: str, scenarios: Sequence[Scenario], params: Parameters,
              settings: RunSettings, *,
              on_scenario: Callable[[Scenario], None] | None = None) -> PhaseResult:
    """Run every scenario (reads first, then writes) on fresh connections; one phase."""
    ordered = sorted(scenarios, key=lambda s: s.writes)
    conns = [connect(dsn, _session(settings)) for _ in range(settings.concurrency)]
    try:
        results = []
        for scenario in ordered:
            if on_scenario is not None:
                on_scenario(scenario)
            results.append(run_scenario(conns, scenario, params, settings))
    finally:
        for conn in conns:
            conn.close()
    return PhaseResult(name, tuple(results))
