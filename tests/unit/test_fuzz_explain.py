"""Properties of the plan parsers (JSON and text) and the query analyser: any input gives a
plan or analysis, or one clean PgwatchError, in bounded time and memory."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pgwatch.errors import PgwatchError
from pgwatch.explain import parse_json, parse_text
from pgwatch.explain.query import analyse, fingerprint, is_read_only, statement_kinds
from tests.unit.fuzzing import budget, clean, corpus, mutated

JSON_PLANS = [json.loads(t) for t in corpus("tests/data/plans/*/*.json")]
TEXT_PLANS = corpus("tests/data/plans/*/*.txt")
QUERIES = corpus("pgwatch/workload/scenarios/*.sql")
ODD_VALUES: tuple[object, ...] = (None, True, -1, 0, 1e308, -1e308, float("nan"), "",
                                  "x" * 300, [], {}, [{}], {"Plan": {}}, "NaN", "-0", 2**70)


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*at, index))
    return found


@st.composite
def _mutated_plan(draw: st.DrawFn) -> Any:
    document = json.loads(json.dumps(draw(st.sampled_from(JSON_PLANS))))
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(document) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        replacement = draw(st.one_of(st.sampled_from(ODD_VALUES), st.text(max_size=8),
                                     st.integers(), st.floats()))
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = replacement
    return document


def _json_plan(text: str) -> None:
    outcome = clean(lambda: parse_json.parse(text, source="plan.json"))
    if isinstance(outcome, PgwatchError):
        assert str(outcome).startswith("plan.json"), str(outcome)


@budget(300)
@given(_mutated_plan())
def test_a_mutated_json_plan_parses_or_is_refused_cleanly(document: Any) -> None:
    _json_plan(json.dumps(document))


@budget(100)
@given(st.recursive(st.none() | st.booleans() | st.floats() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(("Plan", "Plans", "Node Type", "x")),
                                      inner, max_size=3), max_leaves=20))
def test_any_json_document_parses_or_is_refused_cleanly(document: Any) -> None:
    _json_plan(json.dumps(document))


@budget(300)
@given(mutated(TEXT_PLANS))
def test_a_mutated_text_plan_parses_or_is_refused_cleanly(text: str) -> None:
    outcome = clean(lambda: parse_text.parse(text, source="plan.txt"))
    if isinstance(outcome, PgwatchError):
        assert str(outcome).startswith("plan.txt"), str(outcome)


def test_a_deep_json_plan_is_refused_or_read() -> None:
    opening = '{"Node Type": "Limit", "Total Cost": 1.0, "Plans": ['
    for depth in (100, 3000):
        _json_plan('[{"Plan": ' + opening * depth + '{"Node Type": "Result"}' + "]}" * depth
                   + "}]")
    lines = ["Limit  (cost=0.00..1.00 rows=1 width=4)"]
    lines += [" " * (2 + 6 * i) + "->  Limit  (cost=0.00..1.00 rows=1 width=4)"
              for i in range(1000)]
    clean(lambda: parse_text.parse("\n".join(lines), source="deep.txt"))


SQL_TOKENS = ("SELECT", "FROM", "WHERE", "JOIN", "ON", "(", ")", ",", "'", "$1", "::int",
              "WITH", "RECURSIVE", "UNION", "ORDER BY", "LIMIT", "lower(", "~~", ";", "--", "/*",
              "*/", "DELETE", "INSERT INTO", "x", "t.a", "= ANY(", "NULL", "LATERAL", "\x00")


@st.composite
def _sql(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(QUERIES))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(st.sampled_from(SQL_TOKENS)) + " " + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
    return text


def _analysed(text: str) -> None:
    for call in (lambda: analyse(text), lambda: fingerprint(text),
                 lambda: is_read_only(text), lambda: statement_kinds(text)):
        outcome = clean(call)
        if isinstance(outcome, PgwatchError):
            assert str(outcome).startswith("query"), str(outcome)


@budget(300)
@given(_sql())
def test_mutated_queries_are_analysed_or_refused_cleanly(text: str) -> None:
    _analysed(text)


@budget(100)
@given(st.text(max_size=80))
def test_any_text_as_a_query(text: str) -> None:
    _analysed(text)


def test_deep_queries_are_analysed_or_refused_cleanly() -> None:
    for depth in (100, 1000, 3000):
        _analysed("SELECT " + "(" * depth + "1" + ")" * depth)
        _analysed("SELECT * FROM t WHERE " + " AND ".join(["a = 1"] * depth))
        _analysed("SELECT " + "(SELECT " * depth + "1" + ")" * depth)
