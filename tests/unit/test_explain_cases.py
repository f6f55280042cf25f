"""Every plan under tests/data/plans: the findings each case was built to show, and no others.

The plans come from live servers (scripts/make_plans.py); each ``<case>.expect.yaml`` says
which codes must appear, which must not, and the highest severity a healthy plan may get.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from pgwatch.explain.findings import CODES, Severity, analyse
from pgwatch.explain.parse import parse_plan
from pgwatch.explain.plan import Node, Plan

PLANS = Path(__file__).resolve().parent.parent / "data" / "plans"
FILES = sorted(p for p in PLANS.glob("*/*") if not p.name.endswith(".expect.yaml"))
PAIRS = sorted(p for p in PLANS.glob("*/*.json"))
# Only Debian's PostgreSQL 15 build here has JIT; the embedded binaries do not.
SINGLE_VERSION_CODES = {"jit_dominates"}


def _case(path: Path) -> str:
    return path.name.split(".", 1)[0]


def _expectations(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load((path.parent / f"{_case(path)}.expect.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def _plan(path: Path) -> Plan:
    return parse_plan(path.read_text(), source=str(path))


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case_findings(path: Path) -> None:
    expected = _expectations(path)
    findings = analyse(_plan(path))
    codes = {finding.code for finding in findings}
    assert set(expected["must"]) <= codes, [f.message for f in findings]
    assert not set(expected.get("must_not", [])) & codes, [f.message for f in findings]
    ceiling = Severity(expected.get("max_severity", "critical"))
    assert all(f.severity.rank <= ceiling.rank for f in findings), \
        [(f.code, f.severity.value, f.message) for f in findings]
    for code, text in expected.get("fix_contains", {}).items():
        assert any(text in f.fix for f in findings if f.code == code)
    for finding in findings:
        assert finding.code in CODES
        assert finding.message.endswith(".") and finding.fix and finding.evidence


@pytest.mark.parametrize("path", PAIRS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_text_and_json_give_the_same_tree(path: Path) -> None:
    as_json, as_text = _plan(path), _plan(path.with_suffix(".txt"))
    assert [_shape(n) for n in as_json.nodes()] == [_shape(n) for n in as_text.nodes()]
    assert (as_json.planning_ms is None) == (as_text.planning_ms is None)
    assert (as_json.execution_ms is None) == (as_text.execution_ms is None)
    assert dict(as_json.settings) == dict(as_text.settings)
    assert [t.constraint or t.name for t in as_json.triggers] == \
        [t.constraint or t.name for t in as_text.triggers]
    # Two executions of one query: block counts agree but for a few catalog reads.
    for one, other in zip(as_json.nodes(), as_text.nodes(), strict=True):
        for a, b in zip(_blocks(one), _blocks(other), strict=True):
            assert abs(a - b) <= max(64, 0.05 * max(a, b)), (one.label, _blocks(one),
                                                               _blocks(other))


def _blocks(node: Node) -> tuple[int, int]:
    if node.buffers is None:
        return (0, 0)
    return (node.buffers.shared_hit + node.buffers.shared_read, node.buffers.temp_blocks)


def _shape(node: Node) -> tuple[object, ...]:
    return (node.node_id, node.node_type, node.relation, node.alias, node.index_name,
            node.join_type, node.strategy, node.partial_mode, node.parent_relationship,
            node.subplan_name, node.plan_rows, node.plan_width, node.filter, node.index_cond,
            node.sort_key, node.sort_method, node.hash_batches, node.workers_planned,
            node.workers_launched, node.analyzed)


def test_every_code_is_shown_on_two_versions() -> None:
    versions: dict[str, set[str]] = {code: set() for code in CODES}
    for path in PLANS.glob("*/*.expect.yaml"):
        for code in yaml.safe_load(path.read_text())["must"]:
            versions[code].add(path.parent.name)
    for code, seen in versions.items():
        assert len(seen) >= (1 if code in SINGLE_VERSION_CODES else 2), (code, seen)


def test_every_case_has_a_plan_in_both_formats() -> None:
    for path in PLANS.glob("*/*.expect.yaml"):
        case = path.name.removesuffix(".expect.yaml")
        assert (path.parent / f"{case}.json").exists(), path
        assert (path.parent / f"{case}.txt").exists(), path
