"""What a finding is: a stable code, a severity, the node, the numbers, the message and the fix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from pgwatch.explain.plan import Node

Evidence = tuple[tuple[str, str | int | float], ...]


class Severity(StrEnum):
    """How much a finding matters; ordered info < warning < critical."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem seen in a plan, at the node it concerns (the root for plan-wide ones)."""

    code: str
    severity: Severity
    node_id: int
    node: str
    message: str
    fix: str
    evidence: Evidence

    @classmethod
    def at(cls, node: Node, code: str, severity: Severity, message: str, fix: str,  # noqa: PLR0917 - the finding's fields, in order
           evidence: Mapping[str, str | int | float | None]) -> Finding:
        """A finding about ``node``; evidence entries that are None are left out."""
        kept = tuple((k, _rounded(v)) for k, v in evidence.items() if v is not None)
        return cls(code, severity, node.node_id, node.label, message, fix, kept)

    def evidence_dict(self) -> dict[str, str | int | float]:
        return dict(self.evidence)


@dataclass(frozen=True, slots=True)
class TableIndex:
    """An index of a table the plan reads, known when the plan was made live."""

    relation: str
    name: str
    columns: tuple[str, ...]  # key columns in order; "" for an expression
    definition: str  # pg_get_indexdef


@dataclass(frozen=True, slots=True)
class Context:
    """What the findings may know beyond the plan; ``indexes`` None means not known."""

    indexes: tuple[TableIndex, ...] | None = None

    def indexes_of(self, relation: str | None) -> tuple[TableIndex, ...]:
        if self.indexes is None or relation is None:
            return ()
        return tuple(index for index in self.indexes if index.relation == relation)


def _rounded(value: str | int | float) -> str | int | float:
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        # Three decimals for times and sizes; three significant digits for small fractions.
        return round(value, 3) if abs(value) >= 1 else float(f"{value:.3g}")
    return value
