"""docs/metrics.md is exactly what the code generates, and lists every exposed name."""

from __future__ import annotations

from pathlib import Path

from pgwatch.collectors.base import Kind, fields_of
from pgwatch.collectors.registry import COLLECTOR_TYPES
from pgwatch.exposition.reference import reference

DOC = Path(__file__).parent.parent.parent / "docs" / "metrics.md"


def test_committed_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == reference(), (
        "docs/metrics.md is stale: python -m pgwatch.exposition.reference docs/metrics.md")


def test_every_numeric_field_is_documented() -> None:
    text = reference()
    for collector in COLLECTOR_TYPES:
        for spec in fields_of(collector.row_type):
            if spec.kind in (Kind.COUNTER, Kind.GAUGE):
                assert f"`pgwatch_{collector.name}_{spec.name}`" in text
