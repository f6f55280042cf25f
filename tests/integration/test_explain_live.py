"""``pgwatch explain --dsn --query [--analyze]`` against a live server: findings, safety, limits."""

from __future__ import annotations

import json
import time
from typing import Any

import psycopg
import pytest
from psycopg import sql

from tests.cli import Run, run_cli


def _prepare(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, email text NOT NULL)")
        conn.execute("INSERT INTO t SELECT g, g % 1000, 'u' || g || '@x.org' "
                     "FROM generate_series(1, 20000) g")
        conn.execute("CREATE INDEX t_email ON t (email)")
        conn.execute("CREATE TABLE audit (at timestamptz NOT NULL DEFAULT now())")
        conn.execute("CREATE FUNCTION touch() RETURNS int LANGUAGE sql VOLATILE AS "
                     "$$ INSERT INTO audit DEFAULT VALUES RETURNING 1 $$")
        conn.execute("ANALYZE t")


def _count(dsn: str, table: str) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))\
            .fetchone()
    assert row is not None
    return int(row[0])


def _explain(capsys: pytest.CaptureFixture[str], dsn: str, query: str, *extra: str) -> Run:
    return run_cli(capsys, "explain", "--dsn", dsn, "--query", query, *extra)


def _document(shown: Run) -> dict[str, Any]:
    assert shown.status == 0, shown.err
    loaded = json.loads(shown.out)
    assert isinstance(loaded, dict)
    return loaded


def test_analyze_finds_the_selective_scan(capsys: pytest.CaptureFixture[str],
                                          pg_dsn: str) -> None:
    _prepare(pg_dsn)
    document = _document(_explain(capsys, pg_dsn, "SELECT * FROM t WHERE v = 7",
                                  "--analyze", "--json", "--timeout-ms", "10000"))
    assert document["summary"]["analyzed"] is True
    assert document["summary"]["execution_ms"] > 0
    found = {f["code"]: f for f in document["findings"]}
    assert found["seq_scan_selective"]["evidence"]["rows_kept"] == 20
    assert "CREATE INDEX CONCURRENTLY ON t (v)" in found["seq_scan_selective"]["fix"]


@pytest.mark.one_version
def test_without_analyze_nothing_runs(capsys: pytest.CaptureFixture[str], pg_dsn: str) -> None:
    _prepare(pg_dsn)
    document = _document(_explain(capsys, pg_dsn, "DELETE FROM t WHERE v = 7", "--json"))
    assert document["summary"]["analyzed"] is False
    assert document["plan"]["root"]["node_type"] == "ModifyTable"
    assert _count(pg_dsn, "t") == 20_000
    tree = _explain(capsys, pg_dsn, "SELECT * FROM t WHERE id = 5")
    assert tree.status == 0 and "Index Scan using t_pkey on t" in tree.out
    assert "findings: none" in tree.out


@pytest.mark.one_version
def test_live_index_check_for_non_sargable(capsys: pytest.CaptureFixture[str],
                                           pg_dsn: str) -> None:
    _prepare(pg_dsn)
    indexed = _document(_explain(capsys, pg_dsn, "SELECT * FROM t WHERE lower(email) = 'u5@x.org'",
                                 "--analyze", "--json"))
    finding, = (f for f in indexed["findings"] if f["code"] == "non_sargable_predicate")
    assert finding["evidence"]["index_checked"] == "yes" and "t_email" in finding["message"]
    # v has no index: the function on it costs no index, so there is nothing to say.
    plain = _document(_explain(capsys, pg_dsn, "SELECT * FROM t WHERE abs(v) = 5", "--analyze",
                               "--json"))
    assert "non_sargable_predicate" not in {f["code"] for f in plain["findings"]}


@pytest.mark.one_version
@pytest.mark.parametrize(("query", "reason"), [
    ("DELETE FROM t", "the statement is a DELETE"),
    ("UPDATE t SET v = 0", "the statement is an UPDATE"),
    ("INSERT INTO t VALUES (0, 0, 'x')", "the statement is an INSERT"),
    ("MERGE INTO t USING t AS s ON t.id = s.id WHEN MATCHED THEN DELETE",
     "the statement is a MERGE"),
    ("WITH gone AS (DELETE FROM t RETURNING *) SELECT count(*) FROM gone", "the SELECT writes"),
    ("SELECT * FROM t WHERE id = 1 FOR UPDATE", "the SELECT writes or locks"),
    ("SELECT * INTO t2 FROM t", "the SELECT writes"),
    ("TRUNCATE t", "the statement is not a query"),
    ("DROP TABLE t", "the statement is not a query"),
])
def test_analyze_refuses_writes(capsys: pytest.CaptureFixture[str], pg_dsn: str, query: str,
                                reason: str) -> None:
    _prepare(pg_dsn)
    shown = _explain(capsys, pg_dsn, query, "--analyze")
    assert shown.status == 2 and shown.out == ""
    assert shown.err.startswith(f"pgwatch: error: --query: {reason}"), shown.err
    assert _count(pg_dsn, "t") == 20_000


@pytest.mark.one_version
def test_read_only_transaction_is_the_backstop(capsys: pytest.CaptureFixture[str],
                                               pg_dsn: str) -> None:
    _prepare(pg_dsn)
    # The parser sees a plain SELECT; the function it calls inserts.
    shown = _explain(capsys, pg_dsn, "SELECT touch()", "--analyze")
    assert shown.status == 2
    assert "--query: refused by the read-only transaction" in shown.err, shown.err
    assert _count(pg_dsn, "audit") == 0


@pytest.mark.one_version
def test_statement_timeout(capsys: pytest.CaptureFixture[str], pg_dsn: str) -> None:
    began = time.monotonic()
    shown = _explain(capsys, pg_dsn, "SELECT pg_sleep(30)", "--analyze", "--timeout-ms", "300")
    elapsed = time.monotonic() - began
    assert shown.status == 2
    assert shown.err == "pgwatch: error: --query: canceled by the statement timeout of 300 ms " \
        "(--timeout-ms)\n"
    assert elapsed < 10


@pytest.mark.one_version
@pytest.mark.parametrize(("query", "expected"), [
    ("SELECT FROM WHERE", "--query: syntax error at or near"),
    ("SELECT * FROM no_such_table", '--query: the server refused it: relation "no_such_table"'),
])
def test_query_errors(capsys: pytest.CaptureFixture[str], pg_dsn: str, query: str,
                      expected: str) -> None:
    shown = _explain(capsys, pg_dsn, query, "--analyze")
    assert shown.status == 2 and shown.err.startswith(f"pgwatch: error: {expected}"), shown.err
    assert shown.err.count("\n") == 1
