"""Inline SVG charts drawn by pygal, made safe for a strict Content-Security-Policy.

pygal writes a ``<script>`` (its configuration) and ``<style>`` into every chart; both are
removed, with comments and the tooltip layer, and the page's own stylesheet colours the
charts. Text in a chart (labels, titles) is serialised by ElementTree, so it is escaped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import pygal

from pgwatch.report.model import Chart

SVG_NS = "http://www.w3.org/2000/svg"
_DROP = {f"{{{SVG_NS}}}script", f"{{{SVG_NS}}}style"}
_MAX_POINTS = 48
ET.register_namespace("", SVG_NS)


def sparkline(values: Sequence[float], caption: str = "") -> Chart | None:
    """A small trend line without axes; None with fewer than two points."""
    points = _thin(values)
    if len(points) < 2:
        return None
    chart = pygal.Line(show_legend=False, show_dots=False, js=[], css=[], no_prefix=True,
                       disable_xml_declaration=True)
    chart.add("", list(points))
    svg = chart.render_sparkline(width=110, height=22, js=[], css=[], no_prefix=True,
                                 disable_xml_declaration=True)
    return Chart(clean(svg, "spark", caption), points, caption)


def growth(series: Sequence[tuple[str, Sequence[tuple[datetime, float]]]], title: str,
           caption: str = "") -> Chart | None:
    """Sizes over time (in MB), one line per object; None without two points anywhere."""
    drawn = [(name, points) for name, points in series if len(points) >= 2]
    if not drawn:
        return None
    chart = pygal.XY(width=760, height=280, show_dots=False, js=[], css=[], no_prefix=True,
                     disable_xml_declaration=True, legend_at_bottom=True,
                     legend_at_bottom_columns=2, truncate_legend=40, title=title,
                     x_label_rotation=0, truncate_label=-1,
                     x_value_formatter=_time_format(drawn),
                     value_formatter=lambda v: f"{v:,.1f} MB")
    for name, points in drawn:
        chart.add(name, [(at.timestamp(), round(v / 2**20, 3))
                         for at, v in _thin_points(points)])
    first = tuple(round(v, 3) for _at, v in drawn[0][1])
    return Chart(clean(chart.render(), "growth", caption), first, caption)


def _time_format(series: Sequence[tuple[str, Sequence[tuple[datetime, float]]]]
                 ) -> Callable[[float], str]:
    """Epoch seconds as a time of day over a day or two (seconds under an hour), else a date."""
    first = min(points[0][0] for _n, points in series)
    last = max(points[-1][0] for _n, points in series)
    span = (last - first).total_seconds()
    pattern = "%H:%M:%S" if span < 3600 else "%H:%M" if span <= 172_800 else "%m-%d"
    return lambda ts: datetime.fromtimestamp(ts, UTC).strftime(pattern)


def _thin_points(points: Sequence[tuple[datetime, float]]) -> Sequence[tuple[datetime, float]]:
    if len(points) <= _MAX_POINTS * 2:
        return points
    step = len(points) / (_MAX_POINTS * 2)
    return [points[int(i * step)] for i in range(_MAX_POINTS * 2)] + [points[-1]]


def clean(svg: str | bytes, kind: str, caption: str) -> str:
    """The chart without scripts, styles, comments or tooltips, labelled for screen readers."""
    root = ET.fromstring(svg)  # noqa: S314 - pygal's own output, not outside input
    _strip(root)
    root.set("class", f"chart {kind}")
    root.set("role", "img")
    root.set("aria-label", caption or kind)
    root.attrib.pop("id", None)
    title = root.find(f"{{{SVG_NS}}}title")
    if title is not None:
        title.text = caption or kind
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


def _strip(element: ET.Element) -> None:
    for child in list(element):
        tag = child.tag if isinstance(child.tag, str) else ""
        classes = child.get("class", "").split()
        if tag in _DROP or not tag or "tooltip-overlay" in classes or "tooltip" in classes:
            element.remove(child)
            continue
        child.attrib.pop("style", None)
        _strip(child)


def _thin(values: Sequence[float]) -> tuple[float, ...]:
    """At most ``_MAX_POINTS`` points: the mean of each run, so a long window stays small."""
    clean_values = [float(v) for v in values]
    if len(clean_values) <= _MAX_POINTS:
        return tuple(round(v, 6) for v in clean_values)
    step = len(clean_values) / _MAX_POINTS
    buckets = [clean_values[int(i * step):int((i + 1) * step)] for i in range(_MAX_POINTS)]
    return tuple(round(sum(b) / len(b), 6) for b in buckets if b)
