"""The three renderings of one ``Report``: HTML (self-contained), Markdown and JSON.

The HTML carries its own Content-Security-Policy: nothing may load or run, and the one
stylesheet is allowed by its hash, so the page reads the same offline and under the
strictest policy a server could send with it (``/report`` sends the same header).
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

import pgwatch
from pgwatch.report.model import Cell, Chart, Report, Section, Table

FORMATS = ("html", "md", "json")
CONTENT_TYPES = {"html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8",
                 "json": "application/json"}


@cache
def stylesheet() -> str:
    return resources.files(__package__ or "pgwatch.report").joinpath(
        "templates/report.css").read_text(encoding="utf-8").strip()


def content_security_policy() -> str:
    """The policy the report satisfies: no script, no request, only its own stylesheet."""
    digest = base64.b64encode(hashlib.sha256(stylesheet().encode()).digest()).decode()
    return (f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; "
            "base-uri 'none'; form-action 'none'")


def render(report: Report, fmt: str) -> str:
    if fmt == "html":
        return as_html(report)
    if fmt == "md":
        return as_markdown(report)
    return as_json(report)


def as_html(report: Report) -> str:
    template = _html_env().get_template("report.html.j2")
    return template.render(r=report, css=Markup(stylesheet()),  # noqa: S704 - our own file
                           csp=content_security_policy(), version=pgwatch.__version__)


def as_markdown(report: Report) -> str:
    return _md_env().get_template("report.md.j2").render(r=report)


def as_json(report: Report) -> str:
    return json.dumps(document(report), indent=1, ensure_ascii=False, default=str)


def document(report: Report) -> dict[str, Any]:
    """The report as plain data: every table row keyed by its column names."""
    head = report.summary
    grade = head.grade
    return {
        "target": report.target, "mode": report.mode,
        "generated_at": report.generated_at.isoformat(), "since": report.since.isoformat(),
        "until": report.until.isoformat(), "server_version": report.server_version,
        "figures": report.figures,
        "summary": {
            "grade": grade.letter, "score": grade.score, "scale": grade.scale,
            "rubric": [{"criterion": x.criterion, "measured": x.measured, "rule": x.rule,
                        "penalty": x.penalty} for x in grade.lines],
            "actions": [{"title": a.title, "sql": a.sql, "why": a.why,
                         "impact": round(a.impact, 3), "source": a.source}
                        for a in head.actions],
            "changes": [{"what": c.what, "before": c.before, "now": c.now}
                        for c in head.changes],
            "previous": head.previous},
        "sections": [_section(s) for s in report.sections],
    }


def _section(section: Section) -> dict[str, Any]:
    return {"key": section.key, "title": section.title, "lead": section.lead,
            "missing": section.missing, "notes": list(section.notes),
            "charts": [{"caption": c.caption, "points": list(c.points)} for c in section.charts],
            "tables": [_table(t) for t in section.tables]}


def _table(table: Table) -> dict[str, Any]:
    return {"name": table.name, "columns": list(table.columns),
            "total": table.total if table.total is not None else len(table.rows),
            "rows": [{col: cell.data for col, cell in zip(table.columns, row, strict=True)}
                     for row in table.rows]}


@cache
def _html_env() -> Environment:
    env = Environment(loader=PackageLoader("pgwatch.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["svg"] = _svg
    return env


@cache
def _md_env() -> Environment:
    # Markdown is not HTML: its own filters escape what it would read as markup.
    env = Environment(loader=PackageLoader("pgwatch.report", "templates"),
                      autoescape=False,  # noqa: S701
                      undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters["md"] = md_text
    env.filters["mdcell"] = md_cell
    env.filters["fence"] = lambda text: str(text).replace("\n", "\n   ")
    return env


def _svg(chart: Chart) -> Markup:
    # Serialised by ElementTree from pygal's output with scripts and styles removed.
    return Markup(chart.svg)  # noqa: S704


def md_text(value: object) -> str:
    """Text safe in Markdown and in a table cell: one line, markup characters escaped."""
    text = " ".join(str(value).split())
    for char in "\\`*_[]<>|#":
        text = text.replace(char, "\\" + char)
    return text


def md_cell(cell: Cell) -> str:
    if cell.chart is not None:
        return " ".join(f"{p:g}" for p in cell.chart.points[-12:])
    if cell.kind in ("sql", "code"):
        text = " ".join(cell.text.split()).replace("|", "\\|")
        ticks = "``" if "`" in text else "`"
        return f"{ticks} {text} {ticks}"
    return md_text(cell.text)
