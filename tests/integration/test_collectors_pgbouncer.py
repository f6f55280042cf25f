"""The PgBouncer collectors against a real PgBouncer in front of each PostgreSQL version."""

from __future__ import annotations

import threading

import psycopg

from pgwatch.collectors import registry
from pgwatch.collectors.cycle import collect_dsn, collect_once
from pgwatch.collectors.pgbouncer import is_pgbouncer, pgbouncer_connect, probe_bouncer
from tests.integration.pgbouncer_fixture import running_pgbouncer
from tests.integration.test_collectors import dbname_of
from tests.servers import PgServer

BOUNCER = ["pgbouncer_pools", "pgbouncer_stats", "pgbouncer_clients", "pgbouncer_servers"]


def test_pools_stats_clients_servers(pg_server: PgServer, pg_dsn: str) -> None:
    dbname = dbname_of(pg_dsn)
    # prepare_threshold=None: a transaction-mode pool cannot keep prepared statements.
    with (running_pgbouncer(pg_server.admin_dsn) as bouncer,
          psycopg.connect(bouncer.pooled_dsn(dbname), autocommit=True,
                          prepare_threshold=None) as pooled):
        for _ in range(25):
            pooled.execute("SELECT 1")
        with pgbouncer_connect(bouncer.admin_dsn) as console:
            assert is_pgbouncer(console)
            server = probe_bouncer(console)
            assert server.version.startswith("1.")
            result = collect_once(console, server, registry.create(BOUNCER))
    assert result.errors == [] and result.skipped == []
    by_name = {s.collector: s.rows for s in result.snapshots}
    pools = {(r.database, r.user): r for r in by_name["pgbouncer_pools"]}
    assert pools[(dbname, "postgres")].pool_mode == "transaction"
    assert pools[(dbname, "postgres")].clients_active == 1
    stats = {r.database: r for r in by_name["pgbouncer_stats"]}
    assert stats[dbname].queries_total >= 25
    assert stats[dbname].query_seconds_total > 0
    clients = {(r.database, r.user): r for r in by_name["pgbouncer_clients"]}
    assert clients[(dbname, "postgres")].connections == 1
    servers = {(r.database, r.user): r for r in by_name["pgbouncer_servers"]}
    assert servers[(dbname, "postgres")].connections >= 1


def test_waiting_clients_show_when_the_pool_is_full(pg_server: PgServer, pg_dsn: str) -> None:
    dbname = dbname_of(pg_dsn)
    with running_pgbouncer(pg_server.admin_dsn) as bouncer:
        holders = [psycopg.connect(bouncer.pooled_dsn(dbname), prepare_threshold=None)
                   for _ in range(5)]
        for conn in holders:
            conn.execute("SELECT 1")  # an open transaction keeps its server in transaction mode
        waiter_done = threading.Event()

        def wait() -> None:
            with psycopg.connect(bouncer.pooled_dsn(dbname), autocommit=True,
                                 prepare_threshold=None) as waiter:
                waiter.execute("SELECT 1")
            waiter_done.set()

        thread = threading.Thread(target=wait)
        thread.start()
        try:
            waiting = 0
            for _ in range(50):
                _, result = collect_dsn(bouncer.admin_dsn, ["pgbouncer_pools"])
                rows = [r for r in result.snapshots[0].rows if r.database == dbname]
                waiting = rows[0].clients_waiting if rows else 0
                if waiting:
                    break
                waiter_done.wait(0.2)
            assert waiting == 1
            assert rows[0].servers_active == 5
        finally:
            for conn in holders:
                conn.rollback()
                conn.close()
            thread.join(timeout=30)
    assert waiter_done.is_set()


def test_postgres_collectors_skip_a_pgbouncer_target(pg_server: PgServer) -> None:
    with running_pgbouncer(pg_server.admin_dsn) as bouncer:
        _, result = collect_dsn(bouncer.admin_dsn, ["database", "pgbouncer_pools"])
    assert [s.collector for s in result.snapshots] == ["pgbouncer_pools"]
    assert "PgBouncer" in result.skipped[0].reason
