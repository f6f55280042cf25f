"""The shipped dashboards: current with their source, valid PromQL, only metrics pgwatch
exposes, a unit and a description on every panel, data-source and target variables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import promql_parser
import pytest

from pgwatch.collectors.registry import PER_DATABASE
from pgwatch.exposition.reference import exposed_names
from pgwatch.grafana.__main__ import files
from pgwatch.grafana.dashboards import DASHBOARDS

FOLDER = Path(__file__).parent.parent.parent / "dashboards"
PANELS = [(d.uid, p.title, q.expr) for d in DASHBOARDS for p, q in d.queries()]


def promql(expr: str) -> str:
    """The query as Prometheus receives it once Grafana has filled its variables."""
    return expr.replace("$__rate_interval", "1m").replace("$target", ".*") \
        .replace("$datname", ".*")


def selectors(expr: str) -> list[str]:
    names: list[str] = []

    def visit(node: Any) -> bool:
        if isinstance(node, promql_parser.VectorSelector):
            names.append(str(node.name))
        return True

    promql_parser.walk(promql_parser.parse(promql(expr)), visit)
    return names


def test_committed_dashboards_are_current() -> None:
    for name, content in files().items():
        assert (FOLDER / name).read_text(encoding="utf-8") == content, (
            f"dashboards/{name} is stale: python -m pgwatch.grafana dashboards")


def test_there_are_six_dashboards() -> None:
    assert len(DASHBOARDS) >= 6
    assert len(list(FOLDER.glob("*.json"))) == len(DASHBOARDS)


@pytest.mark.parametrize(("uid", "title", "expr"), PANELS,
                         ids=[f"{u}:{t}" for u, t, _ in PANELS])
def test_query_parses_and_names_only_exposed_metrics(uid: str, title: str, expr: str) -> None:
    names = selectors(expr)
    assert names, f"{uid}/{title}: no metric in {expr}"
    unknown = sorted(set(names) - exposed_names())
    assert not unknown, f"{uid}/{title}: not exposed by pgwatch: {unknown}"
    assert 'target=~"$target"' in expr


@pytest.mark.parametrize("path", sorted(FOLDER.glob("*.json")), ids=lambda p: p.name)
def test_every_panel_has_unit_description_and_variables(path: Path) -> None:
    dashboard = json.loads(path.read_text())
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["target"]["query"]["query"] == "label_values(pgwatch_up, target)"
    for panel in dashboard["panels"]:
        assert panel["description"], panel["title"]
        assert panel["fieldConfig"]["defaults"]["unit"], panel["title"]
        assert panel["datasource"]["uid"] == "${datasource}"


def test_per_database_metrics_filter_on_the_datname_variable() -> None:
    per_database = tuple(f"pgwatch_{name}_" for name in PER_DATABASE)
    for dashboard in DASHBOARDS:
        rendered = json.loads((FOLDER / f"{dashboard.uid[8:]}.json").read_text())
        variables = [v["name"] for v in rendered["templating"]["list"]]
        shows = [expr for _, expr in ((p, q.expr) for p, q in dashboard.queries())
                 if any(name.startswith(per_database) for name in selectors(expr))]
        assert ("datname" in variables) == bool(shows), dashboard.uid
        for expr in shows:
            for name in selectors(expr):
                if name.startswith(per_database):
                    assert f'{name}{{target=~"$target", datname=~"$datname"' in expr, expr
        if "datname" in variables:
            datname = rendered["templating"]["list"][variables.index("datname")]
            assert datname["allValue"] == ".*" and datname["includeAll"]


def test_rare_panels_say_so_in_their_description() -> None:
    for dashboard in DASHBOARDS:
        rendered = json.loads((FOLDER / f"{dashboard.uid[8:]}.json").read_text())["panels"]
        for panel, shown in zip(dashboard.panels, rendered, strict=True):
            assert (f"Rare: {panel.rare}." in shown["description"]) == bool(panel.rare)


def test_panels_do_not_overlap() -> None:
    for dashboard in DASHBOARDS:
        cells: set[tuple[int, int]] = set()
        for panel in json.loads((FOLDER / f"{dashboard.uid[8:]}.json").read_text())["panels"]:
            grid = panel["gridPos"]
            mine = {(x, y) for x in range(grid["x"], grid["x"] + grid["w"])
                    for y in range(grid["y"], grid["y"] + grid["h"])}
            assert not cells & mine, f"{dashboard.uid}: {panel['title']} overlaps"
            assert grid["x"] + grid["w"] <= 24
            cells |= mine
