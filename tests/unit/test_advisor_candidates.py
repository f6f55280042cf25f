"""Candidate indexes, consolidation, coverage by existing indexes, and the suggested SQL."""

from __future__ import annotations

from pgwatch.explain.advisor.candidates import constant_predicates, site_candidate
from pgwatch.explain.advisor.coverage import consolidate, covered_by
from pgwatch.explain.advisor.ddl import (
    alter_system,
    alter_table,
    create_index,
    drop_index,
    index_name,
    reindex,
)
from pgwatch.explain.advisor.model import Candidate, ExistingIndex, KeyPart
from pgwatch.explain.query import Table, analyse

T = Table("public", "activities")


def _candidate(sql: str, queryid: str = "1", *, constants: bool = True) -> Candidate:
    analysis = analyse(sql)
    known = constant_predicates([analysis.predicates]) if constants else frozenset()
    found = site_candidate(analysis.sites[0], queryid, known)
    assert found is not None
    return found


def _keys(candidate: Candidate) -> list[tuple[str, bool, str]]:
    return [(k.target, k.descending, k.role) for k in candidate.keys]


def test_equality_then_sort_with_the_range_on_the_sort_key() -> None:
    found = _candidate("SELECT id, distance FROM activities WHERE user_id = $1 "
                       "AND (start_time, id) < ($2, $3) ORDER BY start_time DESC, id DESC "
                       "LIMIT 20")
    assert _keys(found) == [("user_id", False, "eq"), ("start_time", True, "sort"),
                            ("id", True, "sort")]
    assert found.include == ("distance",)


def test_equality_then_range_when_the_order_is_elsewhere() -> None:
    found = _candidate("SELECT sum(distance) FROM activities WHERE user_id = $1 "
                       "AND start_time >= now() - interval '7 days'")
    assert _keys(found) == [("user_id", False, "eq"), ("start_time", False, "range")]
    assert found.include == ("distance",)


def test_constant_predicates_make_a_partial_index() -> None:
    found = _candidate("SELECT a.id FROM activities a WHERE a.team_id = $1 "
                       "AND a.is_private = false ORDER BY a.start_time DESC LIMIT 30")
    assert found.predicate == ("NOT is_private",)
    assert _keys(found) == [("team_id", False, "eq"), ("start_time", True, "sort")]
    assert "is_private" not in found.include


def test_a_constant_that_varies_between_examples_stays_a_key() -> None:
    examples = [analyse(f"SELECT id FROM goals WHERE team_id = $1 AND status = '{s}'").predicates
                for s in ("ACTIVE", "DRAFT")]
    assert constant_predicates(examples) == frozenset()
    found = site_candidate(analyse("SELECT id FROM goals WHERE team_id = $1 AND status = "
                                   "'ACTIVE'").sites[0], "1", constant_predicates(examples))
    assert found is not None and not found.predicate
    assert [k.target for k in found.keys] == ["team_id", "status"]


def test_expression_equality_and_group_by_make_an_expression_index() -> None:
    found = _candidate("SELECT user_id, sum(distance) FROM activities WHERE NOT is_private AND "
                       "date_trunc('week', start_time AT TIME ZONE 'UTC')::date = "
                       "date_trunc('week', now() AT TIME ZONE 'UTC')::date - 7 GROUP BY user_id")
    assert found.keys[0].expression and found.keys[1].target == "user_id"
    assert found.include == ("distance", "start_time")
    statement = create_index(found)
    assert "((CAST(date_trunc('week'" in statement and statement.endswith("WHERE NOT is_private")


def test_top_n_sort_alone_and_nothing_without_a_limit() -> None:
    found = _candidate("SELECT user_id FROM user_stats ORDER BY total_distance DESC LIMIT 100")
    assert _keys(found) == [("total_distance", True, "sort")]
    assert site_candidate(analyse("SELECT * FROM t ORDER BY x").sites[0], "1",
                          frozenset()) is None


def test_select_star_gets_no_include() -> None:
    assert _candidate("SELECT * FROM t WHERE a = $1").include == ()


def _index(keys: list[KeyPart], predicate: str | None = None, *, method: str = "btree",
           valid: bool = True, name: str = "i") -> ExistingIndex:
    return ExistingIndex("public", "activities", name, method, tuple(keys), (), predicate,
                         False, valid)


def test_existing_indexes_of_every_kind_cover_a_candidate() -> None:
    wanted = _candidate("SELECT id FROM activities WHERE team_id = $1 AND user_id = $2 "
                        "AND left_at IS NULL")
    unique = _index([KeyPart("user_id", role="index"), KeyPart("team_id", role="index")])
    assert covered_by(wanted, [unique]) is unique  # equality columns in any order
    partial = _index([KeyPart("team_id"), KeyPart("user_id"), KeyPart("joined_at")],
                     "(left_at IS NULL)")
    assert covered_by(wanted, [partial]) is partial  # a longer key, the same predicate
    other = _index([KeyPart("team_id"), KeyPart("user_id")], "(role = 'ADMIN'::text)")
    assert covered_by(wanted, [other]) is None  # its predicate is not implied
    assert covered_by(wanted, [_index([KeyPart("team_id")])]) is None  # too short
    assert covered_by(wanted, [_index([KeyPart("team_id"), KeyPart("user_id")],
                                      valid=False)]) is None
    assert covered_by(wanted, [_index([KeyPart("team_id"), KeyPart("user_id")],
                                      method="hash")]) is None


def test_expression_indexes_cover_in_the_servers_spelling() -> None:
    wanted = _candidate("SELECT id FROM users WHERE lower(email) = $1")
    server = _index([KeyPart("lower(email)", expression=True)])
    assert covered_by(Candidate(T, wanted.keys), [server]) is server


def test_sort_direction_must_match_or_be_reversed() -> None:
    wanted = _candidate("SELECT id FROM activities WHERE user_id = $1 "
                        "ORDER BY start_time DESC, id DESC LIMIT 5")
    reversed_ = _index([KeyPart("user_id"), KeyPart("start_time"), KeyPart("id")])
    assert covered_by(wanted, [reversed_]) is reversed_
    mixed = _index([KeyPart("user_id"), KeyPart("start_time", descending=True),
                    KeyPart("id")])
    assert covered_by(wanted, [mixed]) is None


def test_consolidation_folds_a_prefix_into_a_longer_index() -> None:
    history = _candidate("SELECT id, distance FROM activities WHERE user_id = $1 "
                         "ORDER BY start_time DESC, id DESC LIMIT 20", "h")
    summary = _candidate("SELECT sum(duration) FROM activities WHERE user_id = $1 "
                         "AND start_time >= now() - interval '7 days'", "s")
    other = _candidate("SELECT id FROM activities WHERE team_id = $1", "o")
    merged = consolidate([summary, history, other])
    assert len(merged) == 2
    assert merged[0].queryids == ("h", "s")
    assert merged[0].include == ("distance", "duration")


def test_sql_quotes_identifiers() -> None:
    odd = Candidate(Table("my schema", 'we"ird'), (KeyPart("Col"),), ("x y",))
    assert create_index(odd) == ('CREATE INDEX CONCURRENTLY "we""ird_Col_idx" ON '
                                 '"my schema"."we""ird" ("Col") INCLUDE ("x y")')
    assert index_name(odd) == 'we"ird_Col_idx'
    assert drop_index("s", "i x") == 'DROP INDEX CONCURRENTLY "s"."i x"'
    assert reindex("s", "i") == 'REINDEX INDEX CONCURRENTLY "s"."i"'
    assert alter_system("pg_stat_statements.max", "10000") == (
        "ALTER SYSTEM SET \"pg_stat_statements\".\"max\" = '10000'")
    assert alter_table("public", "t", {"fillfactor": 70}) == (
        'ALTER TABLE "public"."t" SET ("fillfactor" = 70)')
