"""What the analysis of a statement's text yields: tables, sites, predicates, joins."""

from __future__ import annotations

from dataclasses import dataclass

from pgwatch.errors import PgwatchError

DEFAULT_SCHEMA = "public"


class QueryError(PgwatchError):
    """A statement's text cannot be parsed."""


@dataclass(frozen=True, slots=True)
class Table:
    """A schema-qualified table."""

    schema: str
    name: str

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class Predicate:
    """One conjunct of a WHERE or JOIN condition on one site.

    ``op`` is ``eq``, ``in``, ``range``, ``is_null``, ``is_not_null``, ``bool`` or ``like``;
    ``value`` is what the column is compared with: ``const``, ``param``, ``outer`` (a column of
    an enclosing query: lateral or correlated), ``join`` (a column of another table of the same
    query) or ``expr`` (anything else without a column, ``now()`` say). ``target`` is the
    column, or the expression (columns unqualified) when ``expression``. ``sql`` is the
    conjunct itself, unqualified: what the WHERE of a partial index would say.
    """

    target: str
    expression: bool
    op: str
    value: str
    sql: str
    params: tuple[int, ...] = ()
    columns: tuple[str, ...] = ()

    @property
    def constant(self) -> bool:
        """Whether it holds alike for every call, so a partial index can carry it."""
        return self.value == "const" and self.op in ("eq", "is_null", "is_not_null", "bool")


@dataclass(frozen=True, slots=True)
class SortKey:
    """A key of ORDER BY or GROUP BY that belongs to one site."""

    target: str
    expression: bool
    descending: bool = False


@dataclass(frozen=True, slots=True)
class NonSargable:
    """A predicate that an index on the plain column cannot serve."""

    table: Table
    column: str
    kind: str  # "function", "cast" or "leading_wildcard"
    sql: str


@dataclass(frozen=True, slots=True)
class JoinCondition:
    """``left.left_column = right.right_column`` between two tables of one query."""

    left: Table
    left_column: str
    right: Table
    right_column: str


@dataclass(frozen=True, slots=True)
class Site:
    """One occurrence of a table in one SELECT (or UPDATE/DELETE), and what it is asked."""

    table: Table
    alias: str
    predicates: tuple[Predicate, ...]
    order_by: tuple[SortKey, ...]
    group_by: tuple[SortKey, ...]
    columns: frozenset[str]
    star: bool
    limited: bool


@dataclass(frozen=True, slots=True)
class QueryAnalysis:
    """Everything the advisor reads from one statement's text."""

    fingerprint: str
    tables: tuple[Table, ...]
    sites: tuple[Site, ...]
    joins: tuple[JoinCondition, ...]
    non_sargable: tuple[NonSargable, ...]

    @property
    def predicates(self) -> tuple[Predicate, ...]:
        return tuple(p for s in self.sites for p in s.predicates)

