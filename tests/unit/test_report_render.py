"""The renderings of one hand-made report model: strict HTML5, escaping, CSP, Markdown, JSON."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import html5lib

from pgwatch.report.charts import growth, sparkline
from pgwatch.report.grade import grade
from pgwatch.report.model import Action, Cell, Change, Report, Section, Summary, Table
from pgwatch.report.render import as_html, as_json, as_markdown, content_security_policy
from pgwatch.report.units import count_cell, duration_cell, ratio_cell, size_cell, text_cell

EVIL = "<img src=x onerror=alert(1)>"
SCRIPT = "SELECT '</script><script>alert(2)</script>' | x"
NS = "{http://www.w3.org/1999/xhtml}"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
FIGURES = {"dead_tables": 2.0, "wraparound_ratio": 0.2, "invalid_indexes": 1.0,
           "needless_indexes": 3.0, "alerts_fired": 1.0, "regressions": 0.0,
           "failed_refreshes": 0.0, "cache_hit_ratio": 0.97, "connection_usage": 0.5}


def report() -> Report:
    spark = sparkline([1.0, 3.0, 2.0, 5.0], EVIL)
    chart = growth([(EVIL, [(NOW - timedelta(hours=2), 1e6), (NOW, 3e6)])], EVIL, EVIL)
    assert spark is not None and chart is not None
    table = Table("top queries", ("query", "calls", "time", "share", "size", "trend", "flag"),
                  ((text_cell(SCRIPT, "code"), count_cell(1234), duration_cell(0.0123),
                    ratio_cell(0.25), size_cell(1536.0),
                    Cell("4 points", None, "chart", spark), Cell(EVIL, None, "badge bad")),),
                  total=7)
    sections = (Section("queries", "Top queries", f"lead {EVIL}", (table,), (chart,),
                        (f"note {EVIL}",)),
                Section("alerts", "Alerts", missing=f"missing {EVIL}"))
    summary = Summary(grade({**FIGURES}), (Action("vacuum", f'VACUUM "public"."{EVIL}";', EVIL,
                                                  3.0, "measured"),),
                      (Change(EVIL, "1", "2"),), (("score", "80"),), "2026-11-30")
    return Report(EVIL, "store", NOW, NOW - timedelta(days=1), NOW, "18.6", summary, sections,
                  {**FIGURES, "grade_score": 80.0})


def test_html_is_strict_html5_and_shows_every_untrusted_text_as_text() -> None:
    text = as_html(report())
    doc = html5lib.HTMLParser(strict=True).parse(text)
    assert doc.find(f".//{NS}img") is None and doc.find(f".//{NS}script") is None
    assert EVIL not in text and "</script><script>" not in text
    body = "".join(doc.itertext())
    assert body.count(EVIL) >= 8 and SCRIPT in body
    assert not re.search(r"\sstyle=", text)  # inline style attributes would break the CSP


def test_the_page_carries_a_policy_that_allows_only_its_stylesheet() -> None:
    text = as_html(report())
    css = re.search(r"<style>(.*?)</style>", text, re.S)
    assert css is not None and text.count("<style") == 1
    digest = base64.b64encode(hashlib.sha256(css.group(1).encode()).digest()).decode()
    policy = content_security_policy()
    assert f"'sha256-{digest}'" in policy and "default-src 'none'" in policy
    doc = html5lib.HTMLParser(strict=True).parse(text)
    metas = [m.get("content") for m in doc.iter(f"{NS}meta")
             if m.get("http-equiv") == "Content-Security-Policy"]
    assert metas == [policy]


def test_markdown_escapes_cells_and_keeps_the_columns() -> None:
    text = as_markdown(report())
    row = next(line for line in text.splitlines() if "1,234" in line)
    assert row.count(" | ") == 7  # seven cells, none split by the query's pipe
    assert "\\<img src=x onerror=alert(1)\\>" in text
    assert "1 more not shown" not in text and "6 more not shown" in text


def test_json_carries_the_numbers_behind_the_text() -> None:
    document: dict[str, Any] = json.loads(as_json(report()))
    rows = document["sections"][0]["tables"][0]["rows"]
    assert rows == [{"query": SCRIPT, "calls": 1234, "time": 0.0123, "share": 0.25,
                     "size": 1536.0, "trend": [1.0, 3.0, 2.0, 5.0], "flag": EVIL}]
    assert document["sections"][0]["tables"][0]["total"] == 7
    assert document["summary"]["grade"] == "F" and document["summary"]["score"] == 59
    assert document["sections"][1]["missing"] == f"missing {EVIL}"


def test_charts_have_no_script_style_or_tooltip() -> None:
    chart = growth([("a", [(NOW, 1.0), (NOW + timedelta(hours=1), 2.0)])], "t")
    spark = sparkline([1.0, 2.0])
    assert chart is not None and spark is not None
    for svg in (chart.svg, spark.svg):
        assert "<script" not in svg and "<style" not in svg and "tooltip" not in svg
        assert "style=" not in svg and "<!--" not in svg
    assert sparkline([1.0]) is None and len(sparkline(list(map(float, range(500)))).points) == 48  # type: ignore[union-attr]
