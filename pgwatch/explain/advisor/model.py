"""The values the advisor's parts exchange: statements, candidate indexes, recommendations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pgwatch.explain.query import QueryAnalysis, Table

CREATE_INDEX = "create_index"
DROP_INDEX = "drop_index"
REINDEX = "reindex"
STATISTICS = "statistics"
SETTING = "setting"
TABLE_SETTING = "table_setting"
QUERY_REWRITE = "rewrite"


@dataclass(frozen=True, slots=True)
class Statement:
    """One entry of pg_stat_statements, with a literal example of it when one was seen."""

    queryid: str
    query: str
    calls: int
    total_ms: float
    mean_ms: float
    toplevel: bool = True
    # Texts as clients sent them (constants intact), matched by fingerprint.
    examples: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """What the advisor analyses and plans: an example when there is one."""
        return self.examples[0] if self.examples else self.query


@dataclass(frozen=True, slots=True)
class Analysed:
    """A statement, its analysis and the cost of its plan today."""

    statement: Statement
    analysis: QueryAnalysis
    cost: float
    scans: tuple[PlanScan, ...]
    sql_planned: str


@dataclass(frozen=True, slots=True)
class PlanScan:
    """A scan node of a plan: what it reads and how."""

    node_type: str
    schema: str | None
    relation: str
    index_name: str | None
    total_cost: float
    plan_rows: float


@dataclass(frozen=True, slots=True)
class KeyPart:
    """One key of an index: a column or an expression, with its direction."""

    target: str
    expression: bool = False
    descending: bool = False
    # "eq", "range" or "sort": a sort key must keep its direction, the others need not.
    role: str = "eq"

    def same_key(self, other: KeyPart) -> bool:
        return self.target == other.target and self.expression == other.expression


@dataclass(frozen=True, slots=True)
class Candidate:
    """An index that would serve some statements."""

    table: Table
    keys: tuple[KeyPart, ...]
    include: tuple[str, ...] = ()
    predicate: tuple[str, ...] = ()
    queryids: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(k.target for k in self.keys if not k.expression)


@dataclass(frozen=True, slots=True)
class ExistingIndex:
    """An index the table already has, as the catalog describes it."""

    schema: str
    table: str
    name: str
    method: str
    keys: tuple[KeyPart, ...]
    include: tuple[str, ...]
    predicate: str | None
    unique: bool
    valid: bool


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One thing to do, with the SQL to do it and why."""

    kind: str
    sql: str
    reason: str
    impact: float
    validated: bool
    queryids: tuple[str, ...] = ()
    confidence: str = "high"
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "sql": self.sql, "validated": self.validated,
                "impact": round(self.impact, 3), "queryids": list(self.queryids),
                "reason": self.reason, "confidence": self.confidence,
                "evidence": self.evidence}
