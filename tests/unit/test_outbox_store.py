"""Alert state and the outbox in the SQLite store: round trips, order, bounds, atomicity."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from pgwatch.alerting.model import Alert, AlertState
from pgwatch.store.alert_rows import Evaluation, OutboxItem, SentMark
from pgwatch.store.sqlite import SQLiteStore


def alert(name: str, state: AlertState, value: float = 1.0) -> Alert:
    return Alert(rule=name, group="g", labels=(("alertname", name), ("severity", "warning")),
                 annotations=(("summary", f"{name} is up"),), state=state, value=value,
                 active_at=100.5, fired_at=160.0 if state is AlertState.FIRING else 0.0)


def evaluation(alerts: list[Alert], queued: list[OutboxItem], keep: int = 100,
               now: float = 200.0) -> Evaluation:
    return Evaluation(alerts=alerts, sent=[SentMark("am", a.fingerprint, now, False)
                                           for a in alerts],
                      queued=queued, now=now, keep_per_receiver=keep)


def test_state_survives_reopening_with_every_field(tmp_path: Path) -> None:
    alerts = [alert("A", AlertState.PENDING, math.nan), alert("B", AlertState.FIRING, 0.25)]
    with SQLiteStore(tmp_path / "h.db") as store:
        store.commit_evaluation(evaluation(alerts, [OutboxItem("am", "[1]")]))
    with SQLiteStore(tmp_path / "h.db") as store:
        loaded, sent = store.alert_state()
    assert [a.rule for a in loaded] == ["A", "B"]
    assert math.isnan(loaded[0].value) and loaded[1] == alerts[1]
    assert loaded[0].active_at == 100.5 and loaded[0].labels == alerts[0].labels
    assert {m.fingerprint for m in sent} == {a.fingerprint for a in alerts}


def test_each_commit_replaces_the_state(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "h.db") as store:
        store.commit_evaluation(evaluation([alert("A", AlertState.FIRING)], []))
        store.commit_evaluation(evaluation([alert("B", AlertState.PENDING)], []))
        loaded, sent = store.alert_state()
    assert [a.rule for a in loaded] == ["B"] and len(sent) == 1


def test_queues_keep_their_order_per_receiver_and_retries_are_recorded(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "h.db") as store:
        for n in range(5):
            store.commit_evaluation(evaluation([], [OutboxItem("am", f"a{n}"),
                                                    OutboxItem("hook", f"h{n}")]))
        assert store.outbox_depths() == {"am": 5, "hook": 5}
        head = store.outbox_head("am", 3)
        assert [e.payload for e in head] == ["a0", "a1", "a2"]
        store.outbox_retry(head[0].id, 1, 999.0, "connection refused")
        store.outbox_delivered([head[1].id])
        after = store.outbox_head("am")
    assert [e.payload for e in after] == ["a0", "a2", "a3", "a4"]
    assert (after[0].attempts, after[0].next_attempt_at, after[0].last_error) == (
        1, 999.0, "connection refused")


def test_a_full_queue_drops_its_oldest_and_says_how_many(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "h.db") as store:
        dropped = {}
        for n in range(14):
            dropped = store.commit_evaluation(evaluation([], [OutboxItem("am", f"a{n}")],
                                                         keep=10))
        assert dropped == {"am": 1}
        assert [e.payload for e in store.outbox_head("am")] == [f"a{n}" for n in range(4, 14)]


def test_a_failed_commit_changes_nothing(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "h.db") as store:
        store.commit_evaluation(evaluation([alert("A", AlertState.FIRING)],
                                           [OutboxItem("am", "kept")]))
        broken = Evaluation(alerts=[alert("B", AlertState.FIRING)], sent=[],
                            queued=[OutboxItem("am", None)],  # type: ignore[arg-type]
                            now=300.0, keep_per_receiver=100)
        with pytest.raises(Exception, match="NOT NULL"):
            store.commit_evaluation(broken)
        loaded, _ = store.alert_state()
        assert [a.rule for a in loaded] == ["A"]
        assert [e.payload for e in store.outbox_head("am")] == ["kept"]
