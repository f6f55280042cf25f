"""A throwaway cluster from Debian's PostgreSQL packages (e.g. 15 with postgresql-15-hypopg).

The embedded binaries carry no third-party extension; Debian's do. The cluster is started
the way pgwatch.embedded starts its own (an unprivileged user when we are root, 127.0.0.1,
a free port, pg_stat_statements preloaded), only from another bin directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from pgwatch.embedded import EmbeddedPostgres
from tests.servers import PgServer, prepare_template


def debian_bin(major: int) -> Path:
    return Path(f"/usr/lib/postgresql/{major}/bin")


@dataclass(slots=True)
class DebianPostgres(EmbeddedPostgres):
    """An EmbeddedPostgres whose binaries are Debian's ``/usr/lib/postgresql/N/bin``."""

    bin_override: Path | None = None

    @property
    def bin_dir(self) -> Path:
        return self.bin_override or debian_bin(self.major)


@contextmanager
def debian_server(major: int, extensions: tuple[str, ...] = ()) -> Iterator[PgServer]:
    """A running Debian cluster whose template1 has pg_stat_statements and ``extensions``.

    Fails (never skips) when the packages are not installed.
    """
    if not (debian_bin(major) / "postgres").exists():
        raise RuntimeError(f"Debian's PostgreSQL {major} is not installed "
                           f"(apt-get install postgresql-{major})")
    cluster = DebianPostgres(major).start()
    try:
        prepare_template(cluster.dsn("template1"))
        with psycopg.connect(cluster.dsn("template1"), autocommit=True) as conn:
            for name in extensions:
                conn.execute(psycopg.sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(
                    psycopg.sql.Identifier(name)))
        yield PgServer(f"debian{major}", cluster.dsn())
    finally:
        cluster.stop()
