"""``pgwatch demo``: a throwaway PostgreSQL, prepared and examined, running until told to stop."""

from __future__ import annotations

from collections.abc import Callable

from pgwatch.db.session import SessionSettings, connect
from pgwatch.doctor import Examination, Status, examine
from pgwatch.embedded import EmbeddedPostgres
from pgwatch.shutdown import stop_event, wait_for

Echo = Callable[[str], None]


def run_demo(major: int, duration: float, echo: Echo) -> Examination:
    """Start, prepare and examine a server; keep it up for ``duration`` s (0: until a signal)."""
    echo(f"[1/3] starting PostgreSQL {major} on 127.0.0.1 ...")
    with EmbeddedPostgres(major) as pg, stop_event() as stop:
        echo(f"      ready in {pg.startup_seconds:.1f} s; log: {pg.log_path}")
        echo("[2/3] creating pg_stat_statements ...")
        with connect(pg.dsn(), SessionSettings(read_only=False)) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        echo("[3/3] examining the server (pgwatch doctor) ...")
        result = examine("demo", pg.dsn())
        warnings = sum(c.status is Status.WARN for c in result.checks)
        echo(f"      PostgreSQL {result.info.version}: {warnings} warning(s)")
        shown = pg.socket_dsn()
        echo(f"\nDSN:  {shown}\ntry:  pgwatch doctor --dsn '{shown}'")
        echo("Ctrl-C stops the server and removes it." if not duration
             else f"The server stops by itself in {duration:g} s.")
        wait_for(stop, duration)
    echo("stopped; nothing left running")
    return result
