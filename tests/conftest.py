"""Fixtures: a PostgreSQL per requested version (session), a fresh database per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import PgServer, requested_versions, start_server

_servers: dict[str, PgServer] = {}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "one_version: the behaviour does not depend on the server version; run "
        "against the newest requested version only")
    config.addinivalue_line(
        "markers", "edge_versions: plain SQL whose behaviour no release in between changes; "
        "run against the oldest and the newest requested versions")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "pg_server" in metafunc.fixturenames:
        labels = requested_versions()
        if metafunc.definition.get_closest_marker("one_version"):
            labels = labels[-1:]
        elif metafunc.definition.get_closest_marker("edge_versions"):
            labels = list(dict.fromkeys((labels[0], labels[-1])))
        metafunc.parametrize("pg_server", labels, indirect=True, scope="session",
                             ids=[f"pg{label}" for label in labels])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "pg_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> PgServer:
    """The server for this test's version; started once per session and stopped at its end."""
    label = str(request.param)
    if label not in _servers:
        _servers[label] = start_server(label)
    return _servers[label]


@pytest.fixture
def pg_dsn(pg_server: PgServer) -> Iterator[str]:
    """A superuser DSN to a database of its own, dropped after the test."""
    with pg_server.fresh_database() as dsn:
        yield dsn


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for server in _servers.values():
        if server.stop is not None:
            server.stop.__exit__(None, None, None)
    _servers.clear()
