"""The report's data model: frozen values that the three renderings read alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

CellKind = str  # "text", "num", "sql", "code", "chart", "badge"


@dataclass(frozen=True, slots=True)
class Chart:
    """An inline SVG chart and the numbers it draws (what the text renderings show)."""

    svg: str
    points: tuple[float, ...]
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell: the text shown, the number behind it (for JSON), and how to show it."""

    text: str
    value: float | str | None = None
    kind: CellKind = "text"
    chart: Chart | None = None

    @property
    def data(self) -> float | str | list[float] | None:
        """What JSON carries for the cell: the number (null when unmeasured), else the text."""
        if self.chart is not None:
            return list(self.chart.points)
        if self.kind == "num" and self.value is None:
            return None  # nothing measured: the text shows a dash
        return self.value if self.value is not None else self.text


@dataclass(frozen=True, slots=True)
class Table:
    """Rows under named columns; ``total`` says how many rows there were before the cut."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total: int | None = None
    empty: str = "nothing to show"

    @property
    def cut(self) -> int:
        """Rows left out to keep the report short."""
        return 0 if self.total is None else max(0, self.total - len(self.rows))


@dataclass(frozen=True, slots=True)
class Section:
    """One part of the report: a lead sentence, tables, charts and notes.

    ``missing`` says why the section could not be built (no history, no advisor, ...).
    """

    key: str
    title: str
    lead: str = ""
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    notes: tuple[str, ...] = ()
    missing: str | None = None


@dataclass(frozen=True, slots=True)
class RubricLine:
    """One criterion of the grade: what was measured and the points it cost."""

    criterion: str
    measured: str
    rule: str
    penalty: int


@dataclass(frozen=True, slots=True)
class Grade:
    """A letter from a score out of 100 and the rubric lines that lowered it."""

    letter: str
    score: int
    lines: tuple[RubricLine, ...]
    scale: str


@dataclass(frozen=True, slots=True)
class Action:
    """One of the actions with the most impact, with the exact SQL."""

    title: str
    sql: str
    why: str
    impact: float
    source: str


@dataclass(frozen=True, slots=True)
class Change:
    """A figure of this report against the previous report."""

    what: str
    before: str
    now: str


@dataclass(frozen=True, slots=True)
class Summary:
    grade: Grade
    actions: tuple[Action, ...]
    changes: tuple[Change, ...]
    facts: tuple[tuple[str, str], ...]
    previous: str | None = None  # when the previous report was made, if there is one


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the report says about one target over one window."""

    target: str
    mode: str  # "live" (a database, no history) or "store" (the daemon's history)
    generated_at: datetime
    since: datetime
    until: datetime
    server_version: str
    summary: Summary
    sections: tuple[Section, ...]
    figures: dict[str, float] = field(default_factory=dict)  # numbers the grade rests on

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)
