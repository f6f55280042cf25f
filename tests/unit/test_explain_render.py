"""The tree and the JSON document ``pgwatch explain`` prints."""

from __future__ import annotations

import json
from pathlib import Path

from pgwatch.explain.findings import analyse
from pgwatch.explain.parse import parse_plan
from pgwatch.explain.render import render_text, to_document

PLANS = Path(__file__).resolve().parent.parent / "data" / "plans"


def test_findings_are_printed_under_their_node() -> None:
    path = PLANS / "17" / "nested_loop_inner_scan.txt"
    plan = parse_plan(path.read_text(), source=path.name)
    findings = analyse(plan)
    lines = render_text(plan, findings).splitlines()
    assert lines[0].startswith("nested_loop_inner_scan.txt: EXPLAIN ANALYZE (text), planning ")
    node_line = next(i for i, line in enumerate(lines) if f"[{findings[0].node_id}]" in line)
    finding_line = next(i for i, line in enumerate(lines) if "nested_loop_inner_scan:" in line)
    assert node_line < finding_line
    # Indented under its node, before the next node starts.
    assert not any(line.lstrip().startswith("[") for line in lines[node_line + 1:finding_line])
    indent = len(lines[node_line]) - len(lines[node_line].lstrip())
    assert len(lines[finding_line]) - len(lines[finding_line].lstrip()) > indent
    assert lines[finding_line + 1].strip().startswith("fix: CREATE INDEX CONCURRENTLY")
    assert lines[-1] == "findings: 1 warning"


def test_json_document_holds_the_whole_tree() -> None:
    path = PLANS / "18" / "subplan_per_row.json"
    plan = parse_plan(path.read_text(), source=path.name)
    document = json.loads(json.dumps(to_document(plan, analyse(plan))))
    assert document["summary"]["nodes"] == sum(1 for _ in plan.nodes())
    assert document["summary"]["findings"] == {"info": 0, "warning": 1, "critical": 0}
    root = document["plan"]["root"]
    subplan = root["children"][0]
    assert subplan["subplan_name"] == "SubPlan 1" and subplan["actual_loops"] == 2000
    assert document["plan"]["settings"] == {"max_parallel_workers_per_gather": "0"}
    finding, = document["findings"]
    assert finding["node_id"] == subplan["node_id"] and finding["evidence"]["loops"] == 2000


def test_a_plan_without_analyze_shows_estimates_and_costs() -> None:
    path = PLANS / "16" / "plain_topn_sort.txt"
    plan = parse_plan(path.read_text(), source=path.name)
    text = render_text(plan, analyse(plan))
    assert text.splitlines()[0] == "plain_topn_sort.txt: EXPLAIN (text)"
    assert "(est 10 rows, cost " in text and "actual" not in text
