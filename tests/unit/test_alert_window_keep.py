"""The evaluation window keeps what the loaded rules read: only the named metrics when every
selector names one, every metric when one selects by a regular expression or by labels (a
rule such as ``{__name__=~"a|b"}`` would read nothing otherwise)."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import CollectorRegistry

from pgwatch.alerting.model import AlertState
from pgwatch.alerting.notifiers.dispatch import Dispatcher, Timing
from pgwatch.alerting.outbox import RetryPolicy
from pgwatch.alerting.rules import load_rules
from pgwatch.alerting.service import AlertingService
from pgwatch.daemon.state import RunState
from pgwatch.exposition.reference import exposed_names
from pgwatch.exposition.self_metrics import SelfCollector
from pgwatch.store import open_store

NAMED = """groups:
  - name: named
    rules:
      - alert: Up
        expr: pgwatch_up == 1
"""
UNNAMED = NAMED + """      - alert: BuildByRegex
        expr: '{__name__=~"pgwatch_build_.*"} == 1'
      - alert: TablesRunByLabel
        expr: 'count({collector="tables", __name__=~".*_runs_total"}) > 0'
"""


def _service(folder: Path, rules: str) -> AlertingService:
    (folder / "rules.yaml").write_text(rules)
    state = RunState()
    state.register("db1", "tables", 30)
    state.target_up("db1", True)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SelfCollector(state))
    store = open_store(folder / "history.db")
    dispatcher = Dispatcher(store, [], [], timing=Timing(60, 1), external_labels={},
                            keep_per_receiver=100, retry=RetryPolicy())
    return AlertingService(load_rules([folder / "rules.yaml"], exposed_names()), registry,
                           dispatcher, 1.0)


def _firing(service: AlertingService) -> set[str]:
    service.tick(1_000_000.0)
    service.dispatcher.store.close()
    return {a.rule for a in service.runners[0].alerts() if a.state is AlertState.FIRING}


def test_named_selectors_keep_only_their_metrics(tmp_path: Path) -> None:
    service = _service(tmp_path, NAMED)
    assert service.keep == frozenset({"pgwatch_up"})
    assert _firing(service) == {"Up"}
    assert service.window.series_count() == 1


def test_a_selector_without_a_metric_name_keeps_every_metric(tmp_path: Path) -> None:
    service = _service(tmp_path, UNNAMED)
    assert service.keep is None
    assert _firing(service) == {"Up", "BuildByRegex", "TablesRunByLabel"}
