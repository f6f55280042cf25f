"""The condition-text scanner the findings use, on conditions as EXPLAIN prints them."""

from __future__ import annotations

import pytest

from pgwatch.explain.findings import expressions


@pytest.mark.parametrize(("text", "expected"), [
    ("((a = 5) AND (b = 5))", ("a", "b")),
    ("((t.a = 5) AND (t.b >= 'x AND y'::text))", ("a", "b")),
    ("(created_at >= '2026-01-01 00:00:00+00'::timestamp with time zone)", ("created_at",)),
    ("((status)::text = ANY ('{a,b}'::text[]))", ("status",)),
    ("(v.user_id = u.id)", ("user_id", "id")),
    ("(x IS NOT NULL)", ("x",)),
    ("(lower(email) = $1)", ("email",)),
    (None, ()),
])
def test_columns(text: str | None, expected: tuple[str, ...]) -> None:
    assert expressions.columns(text) == expected


def test_conjuncts_split_at_top_level_and_only() -> None:
    text = "((a = 1) AND ((b = 2) OR (c = 3)) AND (d ~~ 'x AND y'::text))"
    assert expressions.conjuncts(text) == ("a = 1", "(b = 2) OR (c = 3)", "d ~~ 'x AND y'::text")
    assert expressions.conjuncts("(a = 1)") == ("a = 1",)


@pytest.mark.parametrize(("text", "wrapped"), [
    ("(lower(email) = 'a@b'::text)", [("email", "lower()")]),
    ("((created_at)::date = '2026-01-05'::date)", [("created_at", "::date")]),
    ("(date_part('year'::text, t.created_at) = '2026'::double precision)",
     [("created_at", "date_part()")]),
    ("((id)::numeric = 5.0)", [("id", "::numeric")]),
    # A varchar column compared with text is cast for display only: an index still serves it.
    ("((name)::text = 'x'::text)", []),
    ("(email = lower('A@B'::text))", []),
    ("(a = 1)", []),
])
def test_wrapped_columns(text: str, wrapped: list[tuple[str, str]]) -> None:
    assert [(w.column, w.wrapper) for w in expressions.wrapped_columns(text)] == wrapped


def test_wrapped_expressions_keep_their_literals() -> None:
    wrapped, = expressions.wrapped_columns(
        "(date_part('year'::text, t.created_at) = '2026'::double precision)")
    assert wrapped.expression == "date_part('year'::text, created_at)"
    assert expressions.wrapped_columns("(mod(a, 7) = 5)")[0].expression == "mod(a, 7)"


def test_index_shape_orders_keys_and_moves_boolean_tests_to_where() -> None:
    shape = expressions.index_shape(
        "((NOT a.is_private) AND (a.start_time >= $1) AND (a.team_id = $2) "
        "AND (a.deleted_at IS NULL))")
    assert shape.keys == ("team_id", "start_time")
    assert shape.where == ("NOT is_private", "deleted_at IS NULL")
    assert shape.sql("activities") == "CREATE INDEX CONCURRENTLY ON activities " \
        "(team_id, start_time) WHERE NOT is_private AND deleted_at IS NULL"
    row = expressions.index_shape(
        "((user_id = 7) AND (ROW(start_time, id) < ROW('2026-01-01'::timestamp with time zone, "
        "'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)))")
    assert row.keys == ("user_id", "start_time", "id")


def test_equality_columns() -> None:
    assert expressions.equality_columns(
        "((a = 5) AND (b = ANY ('{1,2}'::integer[])) AND (c > 3) AND (NOT d))") == ("a", "b", "d")


def test_index_keys_use_the_expression_when_the_column_is_wrapped() -> None:
    assert expressions.index_keys("((lower(email) = 'x'::text) AND (tenant = 3))") == \
        ("(lower(email))", "tenant")
    assert expressions.index_keys("(user_id = 77)") == ("user_id",)


@pytest.mark.parametrize(("text", "patterns"), [
    ("(email ~~ '%42@example.com'::text)", ("%42@example.com",)),
    ("(name ~~* '%o''brien%'::text)", ("%o'brien%",)),
    ("(email ~~ 'user4%'::text)", ()),
    ("(email !~~ '%x'::text)", ()),
])
def test_leading_wildcards(text: str, patterns: tuple[str, ...]) -> None:
    assert expressions.leading_wildcards(text) == patterns


def test_like_operand_and_no_btree_key_for_a_leading_wildcard() -> None:
    assert expressions.like_operand("(lower(u.email) ~~ '%42@x.org'::text)") == \
        ("email", "(lower(email))")
    assert expressions.like_operand("(email ~~ '%42'::text)") == ("email", "email")
    assert expressions.index_shape("((email ~~ '%42'::text) AND (tenant = 3))").keys == \
        ("tenant",)
