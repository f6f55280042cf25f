"""Every ``sql`` block of docs/runbooks.md parses and runs on PostgreSQL 18, in a database
with Mile Quest's migrations and pg_stat_statements, as a role with pg_monitor would run it
(here the superuser; the blocks only read). Each block runs in a read-only transaction that
is rolled back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pgwatch.migrations.runner import Runner
from tests.servers import PgServer

RUNBOOKS = Path(__file__).parent.parent.parent / "docs" / "runbooks.md"


def _blocks() -> list[tuple[str, str]]:
    """(section, SQL) for every sql block, in document order."""
    found: list[tuple[str, str]] = []
    section = ""
    block: list[str] | None = None
    for line in RUNBOOKS.read_text(encoding="utf-8").splitlines():
        if block is not None:
            if line.startswith("```"):
                found.append((section, "\n".join(block)))
                block = None
            else:
                block.append(line)
        elif line.startswith("## "):
            section = line[3:].strip()
        elif line.strip() == "```sql":
            block = []
    return found


BLOCKS = _blocks()


def test_every_section_has_sql_to_confirm() -> None:
    sections = set(re.findall(r"^## (.+)$", RUNBOOKS.read_text(encoding="utf-8"), re.M))
    assert sections == {section for section, _ in BLOCKS}


@pytest.fixture(scope="module")
def migrated_dsn(pg_server: PgServer) -> Iterator[str]:
    """One database for the module: migrating takes seconds, the blocks only read."""
    with pg_server.fresh_database() as dsn:
        Runner(dsn).up()
        yield dsn


@pytest.mark.one_version
@pytest.mark.parametrize(("section", "query"), BLOCKS,
                         ids=[f"{s}-{i}" for i, (s, _) in enumerate(BLOCKS)])
def test_runbook_sql_runs(migrated_dsn: str, section: str, query: str) -> None:
    with psycopg.connect(migrated_dsn) as conn:
        conn.read_only = True
        try:
            cursor = conn.execute(query)
            assert cursor.description is not None, f"{section}: returns no rows"
            cursor.fetchall()
        finally:
            conn.rollback()
