"""Stopping the daemon while its target is down: jobs waiting for a turn give it up."""

from __future__ import annotations

import time
from pathlib import Path

from pgwatch.collectors import registry
from pgwatch.collectors.kinds import reads_pgbouncer
from pgwatch.daemon import Catalog, Daemon
from pgwatch.embedded import free_port

NAMES = tuple(n for n in registry.NAMES if not reads_pgbouncer(n))
CATALOG = Catalog(names=NAMES, create=lambda name, options: registry.create([name])[0])
CONNECT_TIMEOUT_S = 3


def test_stop_with_the_target_down_waits_for_at_most_one_connect_timeout(
        tmp_path: Path) -> None:
    # Nothing listens on this port: every job of the target finds it down.
    config = tmp_path / "pgwatch.yaml"
    config.write_text(
        "targets:\n  - name: gone\n    host: 127.0.0.1\n"
        f"    port: {free_port()}\n    dbname: postgres\n    user: pgwatch\n"
        f"defaults:\n  connection: {{connect_timeout: {CONNECT_TIMEOUT_S}s}}\n")
    daemon = Daemon(config, CATALOG, workers=4)
    daemon.start()
    time.sleep(1.0)  # every worker is now busy with a job of the target, or queued for it
    began = time.monotonic()
    daemon.stop()
    took = time.monotonic() - began
    # Each of the four workers used to wait its own connect timeout for the large-read turn,
    # one after the other (4 x 3 s); now only the job holding the turn waits out its own.
    assert took < CONNECT_TIMEOUT_S + 1.5, f"stop took {took:.1f} s"
    statuses = {j.collector: j for j in daemon.state.jobs()}
    assert sum(j.errors_total for j in statuses.values()) >= 1
