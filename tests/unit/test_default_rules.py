"""The shipped rules: complete annotations, a runbook section each, only exposed metrics."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from pgwatch.alerting.promql import metric_names, parse
from pgwatch.exposition.reference import exposed_names

ROOT = Path(__file__).parent.parent.parent
RULES = sorted((ROOT / "rules").glob("*.yaml"))
RUNBOOKS = ROOT / "docs" / "runbooks.md"
RUNBOOK_URL = "https://github.com/pgwatch-project/pgwatch/blob/main/docs/runbooks.md#"
TESTS = ROOT / "tests" / "data" / "default_rules"
SEVERITIES = {"critical", "warning", "info"}
HUMANIZE = re.compile(r"\$value\s*\|\s*humanize(1024|Percentage|Duration)?\b")


def _rules() -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for path in RULES:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for group in document["groups"]:
            found.extend((path.name, rule) for rule in group["rules"])
    return found


ALL = _rules()
IDS = [str(rule["alert"]) for _, rule in ALL]


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, - for ' '."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


def runbook_anchors() -> set[str]:
    text = RUNBOOKS.read_text(encoding="utf-8")
    return {github_anchor(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", text, re.M)}


def test_at_least_25_rules_with_unique_names() -> None:
    assert len(ALL) >= 25
    assert len(set(IDS)) == len(IDS)


def test_one_file_per_area() -> None:
    assert {p.stem for p in RULES} >= {"availability", "connections", "queries", "locks",
                                       "vacuum", "replication", "indexes", "mile_quest",
                                       "pgbouncer", "checkpoints", "settings"}


@pytest.mark.parametrize(("file", "rule"), ALL, ids=IDS)
def test_rule_has_severity_and_annotations(file: str, rule: dict[str, Any]) -> None:
    assert rule["labels"]["severity"] in SEVERITIES, file
    annotations = rule["annotations"]
    assert set(annotations) == {"summary", "description", "runbook_url"}, file
    assert annotations["summary"].strip() and "\n" not in annotations["summary"].strip()
    assert HUMANIZE.search(annotations["description"]), (
        f"{file}: {rule['alert']}: the description shows no humanized $value")


@pytest.mark.parametrize(("file", "rule"), ALL, ids=IDS)
def test_runbook_url_resolves_to_a_section(file: str, rule: dict[str, Any]) -> None:
    url = str(rule["annotations"]["runbook_url"])
    assert url.startswith(RUNBOOK_URL), f"{file}: {rule['alert']}: {url}"
    anchor = url.removeprefix(RUNBOOK_URL)
    assert anchor == github_anchor(str(rule["alert"]))
    assert anchor in runbook_anchors(), f"docs/runbooks.md has no section #{anchor}"


@pytest.mark.parametrize(("file", "rule"), ALL, ids=IDS)
def test_rule_reads_only_exposed_metrics(file: str, rule: dict[str, Any]) -> None:
    names = metric_names(parse(str(rule["expr"])))
    assert names, f"{file}: {rule['alert']} reads no metric"
    unknown = sorted(names - exposed_names())
    assert not unknown, f"{file}: {rule['alert']}: not exposed by pgwatch: {unknown}"


def test_every_runbook_section_belongs_to_a_rule() -> None:
    assert runbook_anchors() - {"runbooks"} == {github_anchor(name) for name in IDS}


def test_every_rule_has_a_promtool_case_that_fires_it() -> None:
    """Every default rule is expected to fire somewhere in tests/data/default_rules."""
    fired: set[str] = set()
    for path in TESTS.glob("*.test.yaml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in document["tests"]:
            fired.update(str(t["alertname"]) for t in case.get("alert_rule_test", [])
                         if t.get("exp_alerts"))
    assert set(IDS) - fired == set()


def test_github_anchor() -> None:
    assert github_anchor("PostgresXidWraparoundWarning") == "postgresxidwraparoundwarning"
    assert github_anchor("What it means, and why?") == "what-it-means-and-why"
