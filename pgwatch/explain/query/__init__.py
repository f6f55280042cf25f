"""The one adapter to pglast: what pgwatch needs to know about a statement's text.

Whether it only reads, its fingerprint (statements that differ only in constants share one),
and for every occurrence of a table in every ``SELECT`` of it (a :class:`Site`) the predicates
on it (equality, range, ``IN``, ``IS NULL``, constants), the joins, the ``ORDER BY`` and
``GROUP BY`` one index could serve, the columns it reads, and the predicates no index serves
as written (a function or cast on a column, a ``LIKE`` with a leading wildcard). Aliases are
resolved to schema-qualified tables; a CTE or a subquery in ``FROM`` is not a table.

Only this package imports pglast: ``text`` parses and spells, ``analyse`` walks the scopes,
``conjuncts`` classifies conditions, ``model`` holds what they yield.
"""

from pgwatch.explain.query.analyse import analyse
from pgwatch.explain.query.model import (
    DEFAULT_SCHEMA,
    JoinCondition,
    NonSargable,
    Predicate,
    QueryAnalysis,
    QueryError,
    Site,
    SortKey,
    Table,
)
from pgwatch.explain.query.text import (
    canonical_expression,
    canonical_predicate,
    fingerprint,
    is_read_only,
    parameter_numbers,
    statement_kinds,
)

__all__ = [
    "DEFAULT_SCHEMA",
    "JoinCondition",
    "NonSargable",
    "Predicate",
    "QueryAnalysis",
    "QueryError",
    "Site",
    "SortKey",
    "Table",
    "analyse",
    "canonical_expression",
    "canonical_predicate",
    "fingerprint",
    "is_read_only",
    "parameter_numbers",
    "statement_kinds",
]
