"""Merging the advice of several databases: best first, each naming its database, a server
setting once for the instance, a note shared by databases once."""

from __future__ import annotations

from pgwatch.explain.advisor.databases import database_of, merged
from pgwatch.explain.advisor.model import CREATE_INDEX, SETTING, Recommendation
from pgwatch.explain.advisor.render import as_document, as_text
from pgwatch.explain.advisor.run import Advice


def _advice(*found: Recommendation, notes: tuple[str, ...] = ()) -> Advice:
    return Advice("u@h:5432/x", "18.6", False, 5, 2, 60.0, 0.5, found, notes)


def _index(table: str, impact: float) -> Recommendation:
    return Recommendation(CREATE_INDEX, f'CREATE INDEX ON "public"."{table}" ("k")', "scan",
                          impact, False, ("1",), "medium", {"table": table})


def _work_mem(value: str, impact: float) -> Recommendation:
    return Recommendation(SETTING, f"ALTER SYSTEM SET \"work_mem\" = '{value}'", "temp files",
                          impact, True)


def test_each_recommendation_names_its_database_best_first() -> None:
    advice = merged("u@h:5432/postgres", [
        ("a", _advice(_index("t", 3.0), _work_mem("8MB", 0.1), notes=("no hypopg",))),
        ("b", _advice(_index("t", 9.0), _work_mem("16MB", 0.4), notes=("no hypopg", "x"))),
    ], ["the advisor ran in 2 of 3 databases"])
    assert [(r.kind, database_of(r), r.impact) for r in advice.recommendations] == [
        (CREATE_INDEX, "b", 9.0), (CREATE_INDEX, "a", 3.0), (SETTING, None, 0.4)]
    assert "16MB" in advice.recommendations[2].sql  # the best of the setting, once
    assert advice.databases == ("a", "b") and advice.target == "u@h:5432/postgres"
    assert (advice.statements_read, advice.statements_planned) == (10, 4)
    assert advice.notes == ("the advisor ran in 2 of 3 databases",
                            "databases a, b: no hypopg", "database b: x")


def test_text_and_json_carry_the_database() -> None:
    advice = merged("u@h/postgres", [("Shop DB", _advice(_index("t", 2.0))),
                                     ("b", _advice(_work_mem("8MB", 1.0)))], [])
    document = as_document(advice)
    assert [r["database"] for r in document["recommendations"]] == ["Shop DB", None]
    assert document["databases"] == ["Shop DB", "b"]
    lines = as_text(advice).splitlines()
    assert lines[2] == "rank  database    recommendation"
    assert lines[3].startswith("   1  Shop DB     [create_index")
    assert lines[4] == "      \\connect 'Shop DB'"
    assert lines[7] == "      statements: 1"
    assert lines[8].startswith("   2  (instance)  [setting") and "ALTER SYSTEM" in lines[9]


def test_one_database_is_shown_as_before() -> None:
    advice = _advice(_index("t", 2.0))
    assert "databases" not in as_document(advice)
    assert "database" not in as_document(advice)["recommendations"][0]
    assert "\\connect" not in as_text(advice) and " 1. [create_index" in as_text(advice)
