"""Two runs at different scale factors: does the p95 of the user-facing reads stay within 2x?

Each file's last phase is used, scenario by scenario (names in both, in the compared
categories). A ``<name>:live`` row is shown but left out of the verdicts, as is a scenario
measured in different forms (live in one file, tuned in the other): its ratio would compare
two different queries. A category meets the target when every counted scenario does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pgwatch.workload.results import BenchRun, ScenarioResult

CATEGORIES = ("dashboard", "leaderboard")
MAX_P95_RATIO = 2.0


@dataclass(frozen=True, slots=True)
class ScaleRow:
    """One scenario at the reference scale and at the larger one."""

    name: str
    category: str
    form: str
    reference: ScenarioResult
    larger: ScenarioResult
    counted: bool

    @property
    def p95_ratio(self) -> float:
        """p95 at the larger scale over p95 at the reference scale."""
        if self.reference.p95_ms > 0 and not math.isnan(self.larger.p95_ms):
            return self.larger.p95_ms / self.reference.p95_ms
        return math.nan

    @property
    def within(self) -> bool:
        """Whether the p95 grew by at most MAX_P95_RATIO (a NaN is not within)."""
        return self.p95_ratio <= MAX_P95_RATIO


@dataclass(frozen=True, slots=True)
class CategoryVerdict:
    """How many of a category's counted scenarios stayed within the ratio."""

    category: str
    within: int
    counted: int

    @property
    def met(self) -> bool:
        """Every counted scenario within the ratio (and at least one counted)."""
        return self.counted > 0 and self.within == self.counted


def _form(reference: ScenarioResult, larger: ScenarioResult) -> str:
    if reference.form == larger.form:
        return reference.form
    return f"{reference.form} / {larger.form}"


def compare(reference: BenchRun, larger: BenchRun,
            categories: Sequence[str] = CATEGORIES) -> list[ScaleRow]:
    """Rows for every scenario of ``categories`` measured in the last phase of both runs."""
    rows = []
    for item in reference.last.scenarios:
        other = larger.last.get(item.name)
        if other is None or item.category not in categories:
            continue
        counted = not item.reference and item.form == other.form
        rows.append(ScaleRow(item.name, item.category, _form(item, other), item, other, counted))
    return sorted(rows, key=lambda r: (r.category, r.name))


def verdicts(rows: Sequence[ScaleRow], categories: Sequence[str] = CATEGORIES
             ) -> list[CategoryVerdict]:
    """Per category: counted scenarios within the ratio, out of those counted."""
    found = []
    for category in categories:
        counted = [r for r in rows if r.category == category and r.counted]
        found.append(CategoryVerdict(category, sum(r.within for r in counted), len(counted)))
    return found
