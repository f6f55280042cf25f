"""Dashboards as data: panels with their PromQL, unit and description, rendered to Grafana JSON.

Every dashboard gets the same two variables (data source, target), those showing
per-database metrics a third (datname), and every panel a unit and a description, because
the builder will not render one without them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
PANEL_WIDTH = {"timeseries": 12, "table": 24, "stat": 6, "bargauge": 12}
PANEL_HEIGHT = {"timeseries": 8, "table": 9, "stat": 4, "bargauge": 8}


@dataclass(frozen=True, slots=True)
class Query:
    """One PromQL expression and how its series are named in the legend."""

    expr: str
    legend: str = ""
    instant: bool = False


@dataclass(frozen=True, slots=True)
class Panel:
    """One panel; ``rare`` says which rare event it waits for (may show no data)."""

    title: str
    description: str
    unit: str
    queries: tuple[Query, ...]
    kind: str = "timeseries"
    rare: str = ""

    def __post_init__(self) -> None:
        if not self.description or not self.unit or not self.queries:
            raise ValueError(f"panel {self.title!r}: description, unit and a query are required")


@dataclass(frozen=True, slots=True)
class Dashboard:
    uid: str
    title: str
    description: str
    panels: tuple[Panel, ...]
    tags: tuple[str, ...] = ("pgwatch", "postgresql")
    links: Sequence[str] = field(default_factory=tuple)
    # Shows per-database metrics: gets a datname variable (see pgwatch.collectors.kinds).
    per_database: bool = False

    def queries(self) -> Iterator[tuple[Panel, Query]]:
        for panel in self.panels:
            for query in panel.queries:
                yield panel, query


def render(dashboard: Dashboard) -> dict[str, Any]:
    """The dashboard as Grafana JSON (schema 39), laid out left to right, top to bottom."""
    panels, x, y, row_height = [], 0, 0, 0
    for number, panel in enumerate(dashboard.panels, start=1):
        width, height = PANEL_WIDTH[panel.kind], PANEL_HEIGHT[panel.kind]
        if x + width > 24:
            x, y, row_height = 0, y + row_height, 0
        panels.append(_panel(number, panel, {"x": x, "y": y, "w": width, "h": height}))
        x, row_height = x + width, max(row_height, height)
    return {
        "uid": dashboard.uid, "title": dashboard.title, "description": dashboard.description,
        "tags": list(dashboard.tags), "schemaVersion": 39, "version": 1, "editable": True,
        "time": {"from": "now-1h", "to": "now"}, "refresh": "30s", "timezone": "browser",
        "graphTooltip": 1, "templating": {"list": _variables(dashboard.per_database)},
        "panels": panels,
        "annotations": {"list": []},
        "links": [{"type": "dashboards", "tags": ["pgwatch"], "asDropdown": True,
                   "title": "pgwatch"}],
    }


# A per-database metric every watched database has; All (.*) also matches targets that
# watch one database, whose series carry no datname.
DATNAME_QUERY = 'label_values(pgwatch_table_size_total_bytes{target=~"$target"}, datname)'


def _variables(per_database: bool) -> list[dict[str, Any]]:
    datname = {"name": "datname", "label": "Database", "type": "query",
               "datasource": DATASOURCE, "query": {"query": DATNAME_QUERY, "refId": "datname"},
               "definition": DATNAME_QUERY, "refresh": 2, "multi": True, "includeAll": True,
               "allValue": ".*", "current": {}, "hide": 0, "sort": 1}
    return [*_common_variables(), *([datname] if per_database else [])]


def _common_variables() -> list[dict[str, Any]]:
    return [
        {"name": "datasource", "label": "Data source", "type": "datasource",
         "query": "prometheus", "current": {}, "hide": 0, "refresh": 1},
        {"name": "target", "label": "Target", "type": "query", "datasource": DATASOURCE,
         "query": {"query": "label_values(pgwatch_up, target)", "refId": "target"},
         "definition": "label_values(pgwatch_up, target)", "refresh": 2, "multi": True,
         "includeAll": True, "current": {}, "hide": 0, "sort": 1},
    ]


def _panel(number: int, panel: Panel, grid: dict[str, int]) -> dict[str, Any]:
    description = panel.description + (f" Rare: {panel.rare}." if panel.rare else "")
    body: dict[str, Any] = {
        "id": number, "type": panel.kind, "title": panel.title, "description": description,
        "datasource": DATASOURCE, "gridPos": grid,
        "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
        "targets": [{"refId": chr(ord("A") + i), "expr": q.expr, "legendFormat": q.legend,
                     "datasource": DATASOURCE, "instant": q.instant, "range": not q.instant}
                    for i, q in enumerate(panel.queries)],
        "options": {"legend": {"displayMode": "table", "placement": "bottom"}},
    }
    if panel.kind == "table":
        body["transformations"] = [{"id": "merge", "options": {}}]
    return body
