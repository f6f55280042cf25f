"""Every default bound names fields its collector really has, so a rename cannot slip by."""

from __future__ import annotations

import pytest

from pgwatch.collectors.base import Kind, fields_of
from pgwatch.collectors.kinds import Scope, scope_of
from pgwatch.collectors.registry import COLLECTOR_TYPES
from pgwatch.daemon.databases import in_database
from pgwatch.exposition.bounds import DEFAULT_BOUNDS, configured_bounds

# A per-database collector's rows carry datname on a target that discovers databases.
ROW_TYPES = {t.name: in_database(t.row_type) if scope_of(t) is Scope.DATABASE else t.row_type
             for t in COLLECTOR_TYPES}


@pytest.mark.parametrize("collector", sorted(DEFAULT_BOUNDS))
def test_bound_fields_exist(collector: str) -> None:
    bound = DEFAULT_BOUNDS[collector]
    specs = {s.name: s.kind for s in fields_of(ROW_TYPES[collector])}
    assert all(specs.get(name) is Kind.LABEL for name in bound.identity)
    assert all(specs.get(name) in (Kind.COUNTER, Kind.GAUGE) for name in bound.rank_by)
    assert all(specs.get(name) is Kind.TEXT for name in bound.info_texts)
    if bound.rank_from is not None:
        source, field = bound.rank_from
        source_specs = {s.name: s.kind for s in fields_of(ROW_TYPES[source])}
        assert source_specs.get(field) is Kind.GAUGE
        assert all(source_specs.get(name) is Kind.LABEL for name in bound.identity)


def test_configured_top_n() -> None:
    bounds = configured_bounds(statements_top_n=7, objects_top_n=9)
    assert bounds["statements"].top_n == 7
    names = ("tables", "table_size", "indexes", "index_size", "index_flags")
    assert {bounds[n].top_n for n in names} == {9}
