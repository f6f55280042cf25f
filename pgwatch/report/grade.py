"""The overall grade: 100 points, minus a penalty per measured problem; the letter by band.

Every line of the rubric is shown beside the grade, with what was measured, so the grade
can be checked by hand:

| criterion | penalty |
| --- | --- |
| cache hit ratio | 10 below 99 %, 20 below 95 % |
| tables with > 20 % dead rows (and ≥ 1,000) | 5 each, at most 15 |
| transaction-id wraparound | 10 above 50 % of autovacuum_freeze_max_age, 25 above 90 % |
| invalid indexes | 10 each, at most 20 |
| unused, duplicate or redundant indexes | 2 each, at most 10 |
| alerts fired in the window | 5 each, at most 20 |
| top queries slower than their baseline (×1.5) | 5 each, at most 15 |
| connection slots in use | 10 above 80 % |
| materialized views whose last refresh failed | 5 each, at most 10 |

A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, F below.
"""

from __future__ import annotations

from collections.abc import Mapping

from pgwatch.report.model import Grade, RubricLine

BANDS = ((90, "A"), (80, "B"), (70, "C"), (60, "D"))
SCALE = "A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, F below (100 points minus the penalties)"


def grade(figures: Mapping[str, float]) -> Grade:
    """The grade of the measured ``figures`` (see the module's rubric)."""
    lines = (_cache(figures.get("cache_hit_ratio")),
             _each("tables with > 20 % dead rows", figures["dead_tables"], 5, 15,
                   "5 each, at most 15"),
             _wraparound(figures["wraparound_ratio"]),
             _each("invalid indexes", figures["invalid_indexes"], 10, 20, "10 each, at most 20"),
             _each("unused, duplicate or redundant indexes", figures["needless_indexes"], 2, 10,
                   "2 each, at most 10"),
             _each("alerts fired in the window", figures["alerts_fired"], 5, 20,
                   "5 each, at most 20"),
             _each("top queries slower than their baseline", figures["regressions"], 5, 15,
                   "5 each (×1.5 the window's earlier mean), at most 15"),
             _connections(figures.get("connection_usage")),
             _each("materialized views whose last refresh failed", figures["failed_refreshes"],
                   5, 10, "5 each, at most 10"))
    score = max(0, 100 - sum(line.penalty for line in lines))
    letter = next((band for floor, band in BANDS if score >= floor), "F")
    return Grade(letter, score, lines, SCALE)


def _each(criterion: str, count: float, points: int, cap: int, rule: str) -> RubricLine:
    return RubricLine(criterion, f"{count:,.0f}", rule, min(cap, int(count) * points))


def _cache(ratio: float | None) -> RubricLine:
    if ratio is None:
        return RubricLine("cache hit ratio", "not measured", "10 below 99 %, 20 below 95 %", 0)
    penalty = 20 if ratio < 0.95 else 10 if ratio < 0.99 else 0
    return RubricLine("cache hit ratio", f"{ratio * 100:.2f} %", "10 below 99 %, 20 below 95 %",
                      penalty)


def _wraparound(ratio: float) -> RubricLine:
    penalty = 25 if ratio > 0.9 else 10 if ratio > 0.5 else 0
    return RubricLine("oldest table's xid age / autovacuum_freeze_max_age", f"{ratio:.1%}",
                      "10 above 50 %, 25 above 90 %", penalty)


def _connections(usage: float | None) -> RubricLine:
    if usage is None:
        return RubricLine("connection slots in use", "not measured", "10 above 80 %", 0)
    return RubricLine("connection slots in use", f"{usage:.1%}", "10 above 80 %",
                      10 if usage > 0.8 else 0)
