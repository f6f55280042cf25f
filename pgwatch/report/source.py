"""Where a report's facts come from: a live database or the daemon's store, behind one protocol.

Both give the rows of each collector as plain mappings (the collectors' own field names), so
every section reads them the same way; only the store has history (series and alerts).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from pgwatch.alerting.model import Alert
from pgwatch.errors import PgwatchError
from pgwatch.store.model import Event, Series

if TYPE_CHECKING:
    from pgwatch.explain.advisor.hygiene import UsageEvidence
    from pgwatch.explain.advisor.run import Advice
    from pgwatch.explain.findings.model import Finding

log = logging.getLogger(__name__)
Rows = tuple[Mapping[str, Any], ...]
ADVICE_TOP = 30


class ReportError(PgwatchError):
    """A report cannot be made as asked; the message names the option or file at fault."""


@dataclass(frozen=True, slots=True)
class AdviceResult:
    """The advisor's answer for the target, or why there is none."""

    advice: Advice | None
    missing: str | None


class ReportSource(Protocol):
    """The facts of one target, as the report's sections read them."""

    target: str
    mode: str  # "live" or "store"
    history: bool
    server_version: str

    def rows(self, collector: str) -> Rows:
        """The newest rows of ``collector`` (empty when it was not collected)."""

    def taken_at(self, collector: str) -> datetime | None:
        """When the rows of ``collector`` were read."""

    def not_collected(self) -> Mapping[str, str]:
        """Collectors with no rows, each with the reason."""

    def series(self, metric: str, labels: Mapping[str, str], since: datetime,
               until: datetime) -> list[Series]:
        """Raw points of the target's matching series (none without history)."""

    def alerts(self) -> Sequence[Alert]:
        """The alerts the daemon keeps: pending, firing, and recently resolved."""

    def alert_events(self, since: datetime, until: datetime) -> Sequence[Event]:
        """The alert history's events (``alert_firing``, ``alert_resolved``) in the window."""

    def advice(self) -> AdviceResult:
        """The advisor's recommendations for the target (run once, then remembered)."""

    def plan_findings(self, query: str, datname: str | None = None
                      ) -> tuple[Finding, ...] | str:
        """Findings of the plan of ``query`` on the target (in ``datname``, one of the
        databases it watches, else its own), or why it was not planned."""

    def close(self) -> None:
        """Release connections and the store."""


def run_advisor(dsn: str, where: str, usage: UsageEvidence | None = None) -> AdviceResult:
    """The advisor's public entry point on ``dsn``; its refusal becomes the section's note.
    ``usage``: index scans from the store's history (else judged since the stats reset)."""
    from pgwatch.explain.advisor.run import AdviseOptions, advise

    try:
        return AdviceResult(advise(dsn, AdviseOptions(top=ADVICE_TOP), where=where,
                                   usage=usage), None)
    except PgwatchError as exc:
        log.info("advisor unavailable for %s: %s", where, exc)
        return AdviceResult(None, str(exc))
    except Exception as exc:  # the report goes on without advice; the section says why
        log.warning("advisor failed for %s: %s", where, _first_line(exc))
        return AdviceResult(None, f"the advisor failed: {_first_line(exc)}")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
