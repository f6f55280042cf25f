"""Query analysis through pglast: sites, predicates, orderings, non-sargable predicates."""

from __future__ import annotations

import pytest

from pgwatch.explain.query import (
    QueryError,
    Site,
    Table,
    analyse,
    canonical_expression,
    canonical_predicate,
    fingerprint,
    is_read_only,
    parameter_numbers,
    statement_kinds,
)

ACTIVITIES = Table("public", "activities")


def _site(sql: str, table: str, alias: str | None = None) -> Site:
    found = [s for s in analyse(sql).sites if s.table.name == table
             and (alias is None or s.alias == alias)]
    assert len(found) == 1, found
    return found[0]


def _ops(site: Site) -> set[tuple[str, str, str]]:
    return {(p.target, p.op, p.value) for p in site.predicates}


def test_aliases_resolve_to_schema_qualified_tables() -> None:
    analysis = analyse("SELECT a.id FROM activities AS a JOIN app.users u ON u.id = a.user_id "
                       "WHERE a.team_id = $1")
    assert analysis.tables == (ACTIVITIES, Table("app", "users"))
    site = _site("SELECT a.id FROM activities AS a WHERE a.team_id = $1", "activities")
    assert site.alias == "a" and ("team_id", "eq", "param") in _ops(site)


def test_equality_range_in_and_null_tests_are_told_apart() -> None:
    site = _site("SELECT * FROM t WHERE t.a = $1 AND t.b > now() - interval '1 day' "
                 "AND t.c IN (1, 2) AND t.d = ANY($2) AND t.e BETWEEN 1 AND 5 "
                 "AND t.f IS NULL AND t.g IS NOT NULL AND 3 <= t.h", "t")
    assert _ops(site) == {("a", "eq", "param"), ("b", "range", "expr"), ("c", "in", "const"),
                          ("d", "in", "param"), ("e", "range", "const"),
                          ("f", "is_null", "const"), ("g", "is_not_null", "const"),
                          ("h", "range", "const")}
    assert site.star


def test_constants_are_constant_predicates_with_their_sql() -> None:
    site = _site("SELECT id FROM teams WHERE status = 'ACTIVE' AND is_public AND NOT archived "
                 "AND owner = $1", "teams")
    constants = {p.sql for p in site.predicates if p.constant}
    assert constants == {"status = 'ACTIVE'", "is_public", "NOT archived"}


def test_join_conditions_and_outer_references() -> None:
    sql = ("SELECT f.id FROM team_members AS m CROSS JOIN LATERAL ("
           "SELECT a.id FROM activities AS a WHERE a.team_id = m.team_id "
           "ORDER BY a.start_time DESC LIMIT 30) AS f WHERE m.user_id = $1")
    inner = _site(sql, "activities")
    assert ("team_id", "eq", "outer") in _ops(inner)
    assert inner.limited and inner.order_by[0].target == "start_time"
    assert inner.order_by[0].descending
    analysis = analyse("SELECT 1 FROM orders o JOIN customers c ON c.id = o.customer_id")
    assert [(j.left.name, j.left_column, j.right.name, j.right_column)
            for j in analysis.joins] == [("customers", "id", "orders", "customer_id")]


def test_row_comparison_is_a_range_on_each_column() -> None:
    site = _site("SELECT id FROM a WHERE user_id = $1 AND (start_time, id) < ($2, $3) "
                 "ORDER BY start_time DESC, id DESC LIMIT 20", "a")
    ranges = {(p.target, p.params) for p in site.predicates if p.op == "range"}
    assert ranges == {("start_time", (2,)), ("id", (3,))}
    assert [(k.target, k.descending) for k in site.order_by] == [("start_time", True),
                                                                  ("id", True)]


def test_positional_and_aliased_group_and_order_keys() -> None:
    sql = ("SELECT date_trunc('week', a.ts)::date AS week, sum(a.x) AS total "
           "FROM t AS a WHERE a.u = $1 GROUP BY 1 ORDER BY week")
    site = _site(sql, "t")
    assert site.group_by[0].expression and "date_trunc" in site.group_by[0].target
    assert site.order_by == site.group_by
    # An aggregate is not an index order.
    assert _site("SELECT u, sum(x) AS s FROM t GROUP BY u ORDER BY s DESC LIMIT 5",
                 "t").order_by == ()


def test_ctes_and_subqueries_are_not_tables() -> None:
    sql = ("WITH w AS (SELECT user_id FROM activities WHERE team_id = $1) "
           "SELECT * FROM w JOIN users ON users.id = w.user_id")
    assert [s.table.name for s in analyse(sql).sites] == ["activities", "users"]


def test_columns_read_by_a_site_include_outer_references() -> None:
    sql = ("SELECT a.user_id, sum(a.distance) FROM activities a WHERE a.team_id = $1 AND "
           "EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = a.team_id "
           "AND m.user_id = a.user_id AND m.left_at IS NULL) GROUP BY a.user_id")
    assert _site(sql, "activities").columns == {"user_id", "distance", "team_id"}
    members = _site(sql, "team_members")
    assert ("user_id", "eq", "outer") in _ops(members)
    assert ("left_at", "is_null", "const") in _ops(members)


def test_non_sargable_predicates() -> None:
    analysis = analyse("SELECT 1 FROM users u WHERE lower(u.email) = $1 AND u.id::text = $2 "
                       "AND u.name LIKE '%son' AND u.city LIKE 'Par%'")
    assert {(n.column, n.kind) for n in analysis.non_sargable} == {
        ("email", "function"), ("id", "cast"), ("name", "leading_wildcard")}
    assert ("city", "like", "const") in _ops(analysis.sites[0])


def test_update_and_delete_have_sites() -> None:
    assert ("id", "eq", "param") in _ops(_site("UPDATE t SET x = 1 WHERE id = $1", "t"))
    assert ("user_id", "eq", "param") in _ops(
        _site("DELETE FROM t WHERE user_id = $1 RETURNING id", "t"))


def test_fingerprint_ignores_constants_and_parameters() -> None:
    normalised = "SELECT * FROM t WHERE a = $1 AND b = $2 AND c = date_trunc($3, d) LIMIT $4"
    literal = "SELECT * FROM t WHERE a = $1 AND b = false AND c = date_trunc('week', d) LIMIT 20"
    assert fingerprint(normalised) == fingerprint(literal)
    assert fingerprint("SELECT a FROM t") != fingerprint("SELECT b FROM t")


@pytest.mark.parametrize(("sql", "expected"), [
    ("SELECT 1", True), ("VALUES (1)", True), ("EXPLAIN SELECT 1", True),
    ("SELECT * FROM t FOR UPDATE", False), ("SELECT 1 INTO x", False),
    ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", False),
    ("UPDATE t SET a = 1", False), ("SELECT 1; DELETE FROM t", False)])
def test_is_read_only(sql: str, expected: bool) -> None:
    assert is_read_only(sql) is expected


def test_syntax_errors_raise_query_error() -> None:
    with pytest.raises(QueryError, match="query"):
        analyse("SELEC 1")


def test_kinds_and_parameters() -> None:
    assert statement_kinds("SELECT 1; UPDATE t SET a = $2; CALL p()") == ("select", "update",
                                                                           "other")
    assert parameter_numbers("SELECT $3, $1 FROM t WHERE a = $3") == (1, 3)


def test_canonical_forms_match_the_servers_spelling() -> None:
    ours = "CAST(date_trunc('week', pg_catalog.timezone('UTC', start_time)) AS date)"
    server = "(date_trunc('week'::text, timezone('UTC'::text, start_time)))::date"
    assert canonical_expression(ours) == canonical_expression(server)
    assert canonical_predicate("is_private = false AND left_at IS NULL") == canonical_predicate(
        "(left_at IS NULL) AND (NOT is_private)")
    assert canonical_predicate("is_public = true") == frozenset({"is_public"})
