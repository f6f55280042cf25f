"""Building a report: every section from one source over one window, then the summary."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from pgwatch.report.context import Context, Forecast, Limits
from pgwatch.report.model import Report
from pgwatch.report.sections import (
    alerts,
    appendix,
    capacity,
    configuration,
    connections,
    databases,
    history,
    indexes,
    maintenance,
    mile_quest,
    queries,
    replication,
    summary,
)
from pgwatch.report.source import ReportSource

log = logging.getLogger(__name__)
SECTIONS = (queries, indexes, maintenance, connections, replication, alerts, capacity,
            mile_quest, configuration, appendix)


def build_report(source: ReportSource, window: timedelta, *, now: datetime | None = None,
                 previous: Mapping[str, object] | None = None, limits: Limits | None = None,
                 forecast: Forecast | None = None) -> Report:
    """The report of ``source`` over the ``window`` before ``now``."""
    until = now or datetime.now(UTC)
    ctx = Context(source, until - window, until, limits or Limits(), forecast or Forecast())
    began = time.monotonic()
    sections = []
    first = (databases,) if databases.watched(ctx) else ()  # a target with databases:
    for module in (*first, *SECTIONS) if source.history else (history, *first, *SECTIONS):
        started = time.monotonic()
        sections.append(module.build(ctx))
        log.debug("report section %s: %.2f s", module.__name__, time.monotonic() - started)
    measured = summary.figures(ctx)
    head = summary.build(ctx, measured, previous)
    log.info("report of %s built in %.2f s", source.target, time.monotonic() - began)
    return Report(source.target, source.mode, datetime.now(UTC), ctx.since, until,
                  source.server_version, head, tuple(sections), measured)
