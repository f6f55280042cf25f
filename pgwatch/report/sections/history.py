"""For a report from a live database (``--dsn``): which sections need the daemon's history,
what each shows without it, and what ``-c`` adds. Placed first, so it is read first."""

from __future__ import annotations

from pgwatch.report.context import Context
from pgwatch.report.model import Section, Table
from pgwatch.report.units import text_cell

COLUMNS = ("section", "from this live database", "with the daemon's history (-c)")
NEEDS = (
    ("Summary", "cache hit ratio since the statistics reset; regressions and alerts score 0",
     "the window's cache hit ratio; regressions and fired alerts graded"),
    ("Top queries by total time", "totals since the statistics reset, p95 estimated as "
     "mean + 1.645·stddev, no trend, no regression",
     "the window's increases, p95 of the interval means, a trend sparkline, the regression "
     "against its own baseline"),
    ("Index advice", "unused means no scan since the statistics reset (its age shown; "
     "low confidence when short)", "unused means no scan over the store's period"),
    ("Alerts in the window", "none: alerts are evaluated by the daemon",
     "every alert that fired in the window, with its duration"),
    ("Capacity", "sizes now; no growth, no forecast",
     "growth over the window and a linear forecast"),
    ("Mile Quest health", "staleness, last refresh and trigger timing now",
     "mean refresh time and failures in the window"),
)
CURRENT = ("Bloat and vacuum, Connections and pool, Replication, Configuration advice and the "
           "Appendix read current values: they need no history.")


def build(ctx: Context) -> Section:
    rows = tuple(tuple(text_cell(v) for v in need) for need in NEEDS)
    return Section("history", "What needs history",
                   "This report was made from a live database alone: the sections below show "
                   "their figures since the statistics reset, or nothing. Run pgwatch run, "
                   "then pgwatch report -c CONFIG, for the window's figures.",
                   (Table("sections that need history", COLUMNS, rows),), notes=(CURRENT,))
