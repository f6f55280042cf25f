"""Which collectors read a PgBouncer admin console rather than PostgreSQL.

They share a name prefix; the daemon routes them to the target's ``pgbouncer.dsn`` and
``pgwatch doctor`` leaves them out of a PostgreSQL server's report.
"""

BOUNCER_PREFIX = "pgbouncer_"


def reads_pgbouncer(collector: str) -> bool:
    return collector.startswith(BOUNCER_PREFIX)
