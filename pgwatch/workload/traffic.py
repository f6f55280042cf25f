"""Continuous Mile Quest traffic: every scenario in turn, until stopped, plus the refresh job.

The demo and the end-to-end tests need a database that is busy the way the application
keeps it busy: reads and writes from the catalog, and the due materialized views refreshed
the way a scheduler would (``CALL refresh_due_materialized_views``).
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field

import psycopg

from pgwatch.db.session import SessionSettings, connect
from pgwatch.workload.bench import runnable
from pgwatch.workload.catalog import load_catalog
from pgwatch.workload.params import PoolParameters, load_pools
from pgwatch.workload.runner import RunSettings, run_scenario

log = logging.getLogger(__name__)
REFRESH = "CALL public.refresh_due_materialized_views(interval '1 second', 5)"
_SESSION = SessionSettings(read_only=False, untracked=False, statement_timeout_ms=30_000)


@dataclass
class Traffic:
    """Drives the catalog from ``concurrency`` connections, ``slice_s`` per scenario."""

    dsn: str
    concurrency: int = 2
    slice_s: float = 0.25
    calls: int = 0
    passes: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="mile-quest-traffic",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _run(self) -> None:
        try:
            self._loop()
        except (psycopg.Error, OSError) as exc:
            if not self._stop.is_set():
                log.warning("traffic stopped: %s", " ".join(str(exc).split()))

    def _loop(self) -> None:
        with connect(self.dsn, _SESSION) as conn:
            params = PoolParameters(load_pools(conn))
        scenarios = runnable(self.dsn, load_catalog())
        conns = [connect(self.dsn, _SESSION) for _ in range(self.concurrency)]
        settings = RunSettings(duration_s=self.slice_s, concurrency=self.concurrency,
                               warmup_calls=0, seed=random.randrange(1 << 30))
        try:
            while not self._stop.is_set():
                for scenario in scenarios:
                    if self._stop.is_set():
                        return
                    self.calls += run_scenario(conns, scenario, params, settings).calls
                conns[0].execute(REFRESH)
                self.passes += 1
        finally:
            for conn in conns:
                conn.close()
