"""One naming of series: the exposition, Snapshot.samples and the store agree on the name and
the object labels of a row, however long or multi-line its label values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from pgwatch.collectors.base import Snapshot, gauge, label
from pgwatch.collectors.naming import (
    LABEL_VALUE_LIMIT,
    label_text,
    metric_name,
    series_labels,
)
from pgwatch.daemon.state import RunState
from pgwatch.exposition.metrics import SnapshotCollector
from pgwatch.exposition.text import TextRenderer
from pgwatch.store.sqlite import SQLiteStore

LONG = "app\nname  with\tspaces " + "x" * 300
T0 = datetime(2026, 3, 2, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SessionRow:
    application_name: str = label()
    wait_event_type: str = label()
    sessions: int = gauge("sessions")


def test_label_text_is_one_line_and_bounded() -> None:
    text = label_text(LONG)
    assert "\n" not in text and "\t" not in text and "  " not in text
    assert len(text) == LABEL_VALUE_LIMIT and text.endswith("…")
    assert label_text(True) == "true" and label_text(None) == ""


def test_series_labels_target_then_configured_then_object_without_empty_values() -> None:
    labels = series_labels("db1", (("env", "prod"), ("datname", "configured")),
                           (("datname", "app"), ("wait_event_type", "")))
    assert labels == {"target": "db1", "env": "prod", "datname": "app"}


def test_exposition_samples_and_store_name_a_row_alike(tmp_path: Path) -> None:
    row = SessionRow(LONG, "", 3)
    snapshot = Snapshot("db1", "activity", T0, 0.01, (row,), SessionRow)
    name = metric_name("activity", "sessions")

    [sample] = snapshot.samples()
    state = RunState()
    state.set_target_labels("db1", {"env": "prod"})
    state.register("db1", "activity", 15)
    exposition = SnapshotCollector(state, {})
    state.succeeded(snapshot, overran=False)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(exposition)
    [exposed] = [s for f in text_string_to_metric_families(TextRenderer(registry).render()
                                                            .decode())
                 for s in f.samples if s.name == name]
    store = SQLiteStore(tmp_path / "history.db")
    try:
        store.write(snapshot)
        [stored] = store.series(name, {}, T0, T0)
    finally:
        store.close()

    assert sample.metric == stored.metric == name
    assert dict(sample.labels) == dict(stored.labels)
    assert exposed.labels == series_labels("db1", (("env", "prod"),), sample.labels)
    assert exposed.labels["application_name"] == label_text(LONG)
    assert "wait_event_type" not in exposed.labels  # empty: Prometheus would drop it too
