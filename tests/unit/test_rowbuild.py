"""Rows built from query values are the very objects their dataclass builds."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

from pgwatch.collectors.base import counter, label, text
from pgwatch.collectors.rowbuild import make_rows, row_builder


@dataclass(frozen=True, slots=True)
class Row:
    name: str = label()
    calls_total: int = counter("calls")
    note: str | None = text(default=None)


def test_rows_equal_what_the_dataclass_builds() -> None:
    built = make_rows(Row, ("calls_total", "name"), [(3, "a"), (4, "b")])
    assert built == (Row("a", 3), Row("b", 4))
    assert all(type(row) is Row for row in built)
    assert built[0].note is None  # a field the query leaves out takes its default
    assert dataclasses.replace(built[0], calls_total=5) == Row("a", 5)
    assert hash(built[1]) == hash(Row("b", 4))


def test_rows_stay_frozen() -> None:
    row = make_rows(Row, ("name", "calls_total", "note"), [("a", 1, "x")])[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.calls_total = 2


def test_columns_and_fields_must_match() -> None:
    with pytest.raises(TypeError, match="no field for column"):
        row_builder(Row, ("name", "calls_total", "extra"))
    with pytest.raises(TypeError, match="the query has no column calls_total"):
        row_builder(Row, ("name",))
    with pytest.raises(ValueError):
        make_rows(Row, ("name", "calls_total"), [("a",)])  # a value short
