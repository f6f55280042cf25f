"""Which databases a target watches: patterns, templates, max, and errors in the config."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgwatch.config import load_config
from pgwatch.discovery import EXCLUSION_KINDS, DatabaseRule, choose, matches
from pgwatch.errors import ConfigError

ROWS = [("postgres", False, True), ("template0", True, False), ("template1", True, True),
        ("app_1", False, True), ("app_2", False, True), ("app_test", False, True),
        ("tenant_17", False, True), ("tenant_x", False, True), ("closed", False, False)]


def test_every_database_but_templates_by_default() -> None:
    found = choose(ROWS, DatabaseRule())
    assert found.watched == ("app_1", "app_2", "app_test", "postgres", "tenant_17", "tenant_x")
    assert dict(found.excluded) == {
        "closed": "does not allow connections",
        "template0": "does not allow connections",
        "template1": "a template (databases.templates: false)"}


def test_shell_and_regex_patterns() -> None:
    rule = DatabaseRule(include=("app_*", r"/^tenant_\d+$/"), exclude=("*_test",))
    found = choose(ROWS, rule)
    assert found.watched == ("app_1", "app_2", "tenant_17")
    excluded = dict(found.excluded)
    assert excluded["app_test"] == "matches an exclude pattern"
    assert excluded["tenant_x"] == "matches no include pattern"
    # A shell pattern matches the whole name; a regular expression is searched in it.
    assert not matches(["app"], "app_1")
    assert matches(["/app/"], "my_app_1")


def test_max_keeps_the_first_by_name_and_says_why_the_rest_are_out() -> None:
    found = choose(ROWS, DatabaseRule(include=("app_*",), max=2))
    assert found.watched == ("app_1", "app_2")
    assert dict(found.excluded)["app_test"] == "over databases.max (2)"


def test_templates_when_asked() -> None:
    assert "template1" in choose(ROWS, DatabaseRule(templates=True)).watched


def write(tmp_path: Path, databases: str, connection: str = "") -> Path:
    path = tmp_path / "pgwatch.yaml"
    path.write_text("targets:\n  - name: inst\n    host: db1\n"
                    f"    databases: {databases}\n{connection}")
    return path


@pytest.mark.parametrize(("databases", "connection", "message"), [
    ("{include: ['/^(app/']}", "",
     "pgwatch.yaml:4: targets[0].databases.include[0]: pattern '/^(app/' is not a regular "
     "expression: missing ), unterminated subpattern at position 1"),
    ("{exclude: ['']}", "",
     "pgwatch.yaml:4: targets[0].databases.exclude[0]: an empty pattern matches no database"),
    ("{max: 0}", "", "pgwatch.yaml:4: targets[0].databases.max: input should be greater than "
     "or equal to 1"),
    ("{}", "    connection: {max_connections: 1}\n",
     "target 'inst': connection.max_connections must be at least 2 with databases"),
])
def test_bad_databases_are_one_line_errors(tmp_path: Path, databases: str, connection: str,
                                           message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, databases, connection))
    text = str(raised.value)
    assert message in text, text
    assert "\n" not in text


def test_every_database_left_out_is_counted_by_its_reason() -> None:
    found = choose(ROWS, DatabaseRule(include=("app_*", "postgres"), exclude=("*_test",), max=2))
    assert found.excluded_by() == {"no_connections": 2, "template": 1, "pattern": 3, "max": 1}
    assert len(found.excluded_kinds) == len(found.excluded)
    assert choose([], DatabaseRule()).excluded_by() == dict.fromkeys(EXCLUSION_KINDS, 0)
