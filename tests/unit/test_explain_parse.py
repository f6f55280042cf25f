"""The plan parsers: JSON, psql-pasted text, auto_explain entries, and what they refuse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pgwatch.errors import PgwatchError
from pgwatch.explain.parse import parse_plan
from pgwatch.explain.plan import Node, Plan, PlanError
from tests.cli import run_cli

PLANS = Path(__file__).resolve().parent.parent / "data" / "plans"


def _load(version: str, name: str) -> Plan:
    path = PLANS / version / name
    return parse_plan(path.read_text(), source=str(path))


def _first(plan: Plan, node_type: str) -> Node:
    return next(n for n in plan.nodes() if n.node_type == node_type)


@pytest.mark.parametrize("suffix", ["json", "txt"])
def test_analyze_numbers(suffix: str) -> None:
    plan = _load("18", f"sort_spill.{suffix}")
    sort = _first(plan, "Sort")
    assert plan.analyzed and plan.execution_ms is not None and plan.planning_ms is not None
    assert sort.sort_space_type == "Disk" and sort.sort_method == "external merge"
    assert sort.sort_space_kb is not None and sort.sort_space_kb > 1000
    assert sort.buffers is not None and sort.buffers.temp_written > 0
    assert sort.actual_rows == 200_000 and sort.actual_loops == 1
    assert dict(plan.settings)["work_mem"] == "64kB"


@pytest.mark.parametrize("suffix", ["json", "txt"])
def test_hash_bitmap_heap_and_workers(suffix: str) -> None:
    hashed = _first(_load("17", f"hash_batches.{suffix}"), "Hash")
    assert hashed.hash_batches is not None and hashed.hash_batches > 1
    assert hashed.hash_buckets and hashed.peak_memory_kb
    bitmap = _first(_load("17", f"bitmap_lossy.{suffix}"), "Bitmap Heap Scan")
    assert bitmap.lossy_heap_blocks and bitmap.exact_heap_blocks is not None
    assert bitmap.rows_removed_by_index_recheck and bitmap.recheck_cond == "(category = 3)"
    only = _first(_load("17", f"heap_fetches.{suffix}"), "Index Only Scan")
    assert only.heap_fetches == 5001 and only.index_name == "hf_v"
    gather = _first(_load("17", f"parallel_workers_short.{suffix}"), "Gather")
    assert (gather.workers_planned, gather.workers_launched) == (4, 2)


@pytest.mark.parametrize("suffix", ["json", "txt"])
def test_jit_triggers_and_wal(suffix: str) -> None:
    jit = _load("15", f"jit_dominates.{suffix}").jit
    assert jit is not None and jit.functions > 0 and jit.total_ms and jit.inlining is True
    assert jit.total_ms == pytest.approx(sum(
        t or 0 for t in (jit.generation_ms, jit.inlining_ms, jit.optimization_ms,
                         jit.emission_ms)), abs=0.01)
    plan = _load("16", f"healthy_insert_fk.{suffix}")
    assert plan.root.label == "Insert on child"
    trigger, = plan.triggers
    assert trigger.constraint == "child_parent_id_fkey" and trigger.calls == 1000
    assert plan.root.wal is not None and plan.root.wal.records > 0


@pytest.mark.parametrize("suffix", ["json", "txt"])
def test_subplan_and_verbose(suffix: str) -> None:
    plan = _load("14", f"subplan_per_row.{suffix}")
    subplan = next(n for n in plan.nodes() if n.subplan_name)
    assert subplan.parent_relationship == "SubPlan" and subplan.subplan_name == "SubPlan 1"
    assert subplan.actual_loops == 2000
    assert plan.root.schema == "public" and plan.root.alias == "u"
    assert plan.root.output[0] == "u.id"


def test_plain_explain_has_no_actuals() -> None:
    for suffix in ("json", "txt"):
        plan = _load("16", f"plain_topn_sort.{suffix}")
        assert not plan.analyzed and plan.execution_ms is None
        assert all(n.actual_rows is None for n in plan.nodes())
        assert plan.root.total_cost is not None and plan.root.plan_rows == 10


def _body(text: str) -> list[str]:
    """A psql text plan without its header, dashes and row count."""
    lines = text.rstrip("\n").split("\n")
    return lines[2:-1]


def test_text_as_people_paste_it() -> None:
    path = PLANS / "18" / "misestimate_correlated.txt"
    reference = [(n.node_type, n.actual_rows, n.filter) for n in _load("18", path.name).nodes()]
    body = _body(path.read_text())
    variants = {
        "no header or footer": "\n".join(body),
        "header, no footer": "\n".join(path.read_text().split("\n")[:-2]),
        "surrounding blank lines and spaces": "\n\n   \n" + "\n".join(body) + "\n \n\n",
        "indented by a tab": "\n".join("\t" + line for line in body),
        "CRLF": "\r\n".join(body),
        "psql's leading space removed": "\n".join(line[1:] for line in body),
        "with the prompt and statement": "app=# EXPLAIN (ANALYZE, BUFFERS, SETTINGS)\n"
        "app-# SELECT * FROM corr WHERE a = 5 AND b = 5;\n" + path.read_text(),
    }
    for name, text in variants.items():
        plan = parse_plan(text, source=name)
        assert [(n.node_type, n.actual_rows, n.filter) for n in plan.nodes()] == reference, name
        assert plan.execution_ms is not None, name


def test_psql_json_with_continuation_marks_equals_the_json() -> None:
    pasted = _load("18", "seq_scan_selective.psql-json.txt")
    direct = _load("18", "seq_scan_selective.json")
    assert pasted.format == "json"
    assert [n.label for n in pasted.nodes()] == [n.label for n in direct.nodes()]


@pytest.mark.parametrize("version", ["14", "15", "16", "17", "18"])
def test_psql_expanded_output_equals_the_text(version: str) -> None:
    expanded = _load(version, "seq_scan_selective.psql-expanded.txt")
    aligned = _load(version, "seq_scan_selective.txt")
    assert expanded.format == "text" and expanded.execution_ms is not None
    assert [(n.label, n.filter, n.plan_rows) for n in expanded.nodes()] == \
        [(n.label, n.filter, n.plan_rows) for n in aligned.nodes()]


@pytest.mark.parametrize("version", ["14", "18"])
def test_auto_explain_entries(version: str) -> None:
    as_json = _load(version, "seq_scan_selective.auto_explain.log")
    as_text = _load(version, "seq_scan_selective.auto_explain-text.log")
    for plan in (as_json, as_text):
        assert plan.query_text == "SELECT * FROM events WHERE user_id = 77"
        assert plan.duration_ms is not None and plan.duration_ms > 0
        assert plan.analyzed
        assert [n.node_type for n in plan.nodes()] == ["Gather", "Seq Scan"]
    assert as_json.format == "json" and as_text.format == "text"


def test_a_log_with_several_entries(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    log = tmp_path / "postgresql.log"
    log.write_text("".join((PLANS / "18" / name).read_text() for name in (
        "seq_scan_selective.auto_explain.log", "sort_spill.auto_explain.log")))
    assert parse_plan(log.read_text(), source="log").root.node_type == "Gather"
    assert parse_plan(log.read_text(), source="log", entry=2).root.node_type == "Sort"
    second = run_cli(capsys, "explain", str(log), "--entry", "2", "--json")
    assert {f["code"] for f in json.loads(second.out)["findings"]} == {"sort_spill"}
    beyond = run_cli(capsys, "explain", str(log), "--entry", "3")
    assert beyond.status == 2
    assert beyond.err == f"pgwatch: error: {log}: --entry 3: the log has 2 auto_explain " \
        "entries\n"
    plain = run_cli(capsys, "explain", str(PLANS / "18" / "sort_spill.txt"), "--entry", "2")
    assert plain.status == 2 and "not a server log, it holds one plan" in plain.err


def test_auto_explain_multi_line_query_text() -> None:
    entry = (
        "2026-12-01 09:00:00.000 UTC [1] postgres@db LOG:  duration: 0.020 ms  plan:\n"
        "\tQuery Text: SELECT *\n"
        "\t  FROM t\n"
        "\t  WHERE a = 1\n"
        "\tSeq Scan on t  (cost=0.00..1.05 rows=1 width=4) (actual time=0.010..0.011 rows=1 "
        "loops=1)\n"
        "\t  Filter: (a = 1)\n"
        "\t  Rows Removed by Filter: 3\n"
        "2026-12-01 09:00:01.000 UTC [1] postgres@db LOG:  statement: SELECT 2\n")
    plan = parse_plan(entry, source="server.log")
    assert plan.query_text == "SELECT *\n  FROM t\n  WHERE a = 1"
    assert plan.root.rows_removed_by_filter == 3 and plan.duration_ms == 0.02


MYSQL_TABLE = """\
+----+-------------+-------+------+---------------+------+---------+------+------+-------------+
| id | select_type | table | type | possible_keys | key  | key_len | ref  | rows | Extra       |
+----+-------------+-------+------+---------------+------+---------+------+------+-------------+
|  1 | SIMPLE      | t     | ALL  | NULL          | NULL | NULL    | NULL |    3 | Using where |
+----+-------------+-------+------+---------------+------+---------+------+------+-------------+
"""
MYSQL_TREE = """\
-> Filter: (t.a = 1)  (cost=0.55 rows=1)
    -> Table scan on t  (cost=0.55 rows=3)
"""
SQLITE = "QUERY PLAN\n`--SCAN t\n"


@pytest.mark.parametrize(("text", "expected"), [
    ("", "plan.txt: empty input"),
    ("  \n\t\n", "plan.txt: empty input"),
    ("hello world\n", "plan.txt: line 1: not a PostgreSQL plan node: hello world"),
    (MYSQL_TABLE, "plan.txt: line 1: not a PostgreSQL plan node"),
    (MYSQL_TREE, "plan.txt: line 1: not a PostgreSQL plan node: -> Filter"),
    (SQLITE, "plan.txt: line 1: not a PostgreSQL plan node: QUERY PLAN"),
    ('{"a": 1}', 'plan.txt: JSON without a "Plan" object'),
    ('<explain xmlns="http://www.postgresql.org/2009/explain">\n  <Query>\n',
     "plan.txt: line 1: EXPLAIN (FORMAT XML) output; give FORMAT JSON or the text format"),
    ("- Plan: \n    Node Type: \"Seq Scan\"\n",
     "plan.txt: line 1: EXPLAIN (FORMAT YAML) output"),
    ('[{"Plan": {"Node Type": "Result"}}, {"Plan": {}}]',
     "plan.txt: expected one EXPLAIN result, found 2"),
    ('[{"Plan": {"Total Cost": 1}}]', 'plan.txt: a plan node without "Node Type"'),
    ("Seq Scan on t  (cost=0.00..1.0", "plan.txt: line 1: not a PostgreSQL plan node: Seq Scan"),
    ("Hash Join  (cost=1.09..2.23 rows=5 width=8)\n  ->  Seq Scan on b  (cost=0.00..1.0",
     "plan.txt: line 2: not a PostgreSQL plan node: Seq Scan on b"),
    ("Seq Scan on t  (cost=0.00..1.05 rows=1 width=4)\n  this is not a detail\n",
     "plan.txt: line 2: not a plan line: this is not a detail"),
    ("Seq Scan on t  (cost=0.00..1.05 rows=1 width=4)\nPlanning Time: soon\n",
     "plan.txt: line 2: expected a time like '0.123 ms'"),
    ("LOG:  duration: 1.0 ms  plan:\n", "plan.txt: line 1: auto_explain entry without a plan"),
])
def test_bad_input_is_one_error_naming_the_file(text: str, expected: str) -> None:
    with pytest.raises(PlanError) as caught:
        parse_plan(text, source="plan.txt")
    assert str(caught.value).startswith(expected), str(caught.value)
    assert "\n" not in str(caught.value) and isinstance(caught.value, PgwatchError)


def test_truncated_json_names_the_line() -> None:
    text = (PLANS / "18" / "sort_spill.json").read_text()
    cut = "\n".join(text.split("\n")[:20])
    with pytest.raises(PlanError, match=r"^cut.json: line 2\d: not valid JSON"):
        parse_plan(cut, source="cut.json")


def test_truncated_auto_explain_json_names_the_log_line() -> None:
    text = (PLANS / "18" / "sort_spill.auto_explain.log").read_text()
    cut = "\n".join(text.split("\n")[:12])
    with pytest.raises(PlanError, match=r"^server.log: line \d+: auto_explain JSON plan"):
        parse_plan(cut, source="server.log")


def test_cli_reads_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    path = PLANS / "18" / "topn_sort_no_index.txt"
    shown = run_cli(capsys, "explain", str(path))
    assert shown.status == 0, shown.err
    assert "topn_sort_no_index" in shown.out and "fix: CREATE INDEX" in shown.out
    plan_json = run_cli(capsys, "explain", str(path.with_suffix(".json")), "--json")
    document = json.loads(plan_json.out)
    assert {f["code"] for f in document["findings"]} == {"topn_sort_no_index"}
    assert set(document["findings"][0]) >= {"code", "severity", "node", "message", "fix",
                                             "evidence"}
    assert document["summary"]["findings"]["warning"] == 1
    assert document["plan"]["root"]["node_type"] == "Limit"


def test_cli_reads_stdin(capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    data = (PLANS / "16" / "sort_spill.txt").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    shown = run_cli(capsys, "explain", "-", "--json")
    assert shown.status == 0, shown.err
    assert json.loads(shown.out)["summary"]["source"] == "-"


@pytest.mark.parametrize(("args", "expected"), [
    (["explain", "/nonexistent/plan.json"], "/nonexistent/plan.json: cannot read"),
    (["explain"], "explain: give a plan FILE"),
    (["explain", "--query", "SELECT 1"], "explain: give a plan FILE"),
    (["explain", "x.json", "--dsn", "host=127.0.0.1"], "explain: give a plan FILE or --dsn"),
    (["explain", "--dsn", "host=127.0.0.1 port=1", "--query", "SELEC 1"],
     "--query: syntax error at or near"),
    (["explain", "--dsn", "host=127.0.0.1 port=1", "--query", "DELETE FROM t", "--analyze"],
     "--query: the statement is a DELETE; --analyze would execute it"),
    (["explain", "--dsn", "host=127.0.0.1 port=1", "--query", "SELECT 1; SELECT 2"],
     "--query: give exactly one statement (found 2)"),
])
def test_cli_errors_are_one_line_exit_2(capsys: pytest.CaptureFixture[str], args: list[str],
                                        expected: str) -> None:
    shown = run_cli(capsys, *args)
    assert shown.status == 2
    assert shown.err.startswith(f"pgwatch: error: {expected}"), shown.err
    assert shown.err.count("\n") == 1 and shown.out == ""


def test_cli_refuses_a_binary_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "plan.bin"
    path.write_bytes(b"\xff\xfe\x00binary")
    shown = run_cli(capsys, "explain", str(path))
    assert shown.status == 2 and f"{path}: not UTF-8 text" in shown.err
