"""Alert state and the outbox in the PostgreSQL store (migration 0003 of that engine):
the same round trips, order, bound and atomicity as the SQLite store's unit tests."""

from __future__ import annotations

import math

import pytest

from pgwatch.alerting.model import Alert, AlertState
from pgwatch.store.alert_rows import Evaluation, OutboxItem, SentMark
from pgwatch.store.postgres import PostgresStore

pytestmark = pytest.mark.one_version  # plain tables, nothing version-specific


def alert(name: str, state: AlertState, value: float = 1.0) -> Alert:
    return Alert(rule=name, group="g", labels=(("alertname", name), ("severity", "critical")),
                 annotations=(("summary", "s"),), state=state, value=value, active_at=100.25,
                 fired_at=130.0 if state is AlertState.FIRING else 0.0)


def commit(store: PostgresStore, alerts: list[Alert], queued: list[OutboxItem],
           keep: int = 100) -> dict[str, int]:
    return store.commit_evaluation(Evaluation(
        alerts=alerts, sent=[SentMark("am", a.fingerprint, 5.0, True) for a in alerts],
        queued=queued, now=200.0, keep_per_receiver=keep))


def test_state_and_outbox_round_trip_across_reopening(pg_dsn: str) -> None:
    store = PostgresStore(pg_dsn)
    alerts = [alert("A", AlertState.PENDING, math.inf), alert("B", AlertState.FIRING, 0.5)]
    commit(store, alerts, [OutboxItem("am", "first"), OutboxItem("am", "second")])
    store.close()
    store = PostgresStore(pg_dsn)
    loaded, sent = store.alert_state()
    assert loaded == alerts
    assert {(m.fingerprint, m.resolved) for m in sent} == {(a.fingerprint, True) for a in alerts}
    head = store.outbox_head("am")
    assert [e.payload for e in head] == ["first", "second"]
    store.outbox_retry(head[0].id, 3, 1234.5, "HTTP 503")
    store.outbox_delivered([head[1].id])
    assert [(e.payload, e.attempts, e.last_error) for e in store.outbox_head("am")] == [
        ("first", 3, "HTTP 503")]
    store.close()


def test_a_full_queue_drops_its_oldest(pg_dsn: str) -> None:
    store = PostgresStore(pg_dsn)
    dropped: dict[str, int] = {}
    for n in range(13):
        dropped = commit(store, [], [OutboxItem("hook", f"h{n}")], keep=10)
    assert dropped == {"hook": 1}
    assert [e.payload for e in store.outbox_head("hook")] == [f"h{n}" for n in range(3, 13)]
    assert store.outbox_depths() == {"hook": 10}
    store.close()


def test_a_failed_commit_leaves_the_previous_state(pg_dsn: str) -> None:
    store = PostgresStore(pg_dsn)
    commit(store, [alert("A", AlertState.FIRING)], [OutboxItem("am", "kept")])
    with pytest.raises(Exception, match="null value"):
        commit(store, [alert("B", AlertState.FIRING)],
               [OutboxItem("am", None)])  # type: ignore[arg-type]
    loaded, _ = store.alert_state()
    assert [a.rule for a in loaded] == ["A"]
    assert [e.payload for e in store.outbox_head("am")] == ["kept"]
    store.close()


def test_instances_sharing_a_store_keep_their_own_state_and_queues(pg_dsn: str) -> None:
    store = PostgresStore(pg_dsn)
    for owner, name in (("east :9187", "A"), ("west :9187", "B")):
        store.commit_evaluation(Evaluation(
            alerts=[alert(name, AlertState.FIRING)],
            sent=[SentMark("am", name, 1.0, False)], queued=[OutboxItem("am", name)],
            now=10.0, keep_per_receiver=100, owner=owner))
    east, east_sent = store.alert_state("east :9187")
    assert [a.rule for a in east] == ["A"] and [m.fingerprint for m in east_sent] == ["A"]
    assert [e.payload for e in store.outbox_head("am", owner="west :9187")] == ["B"]
    assert store.outbox_depths("east :9187") == {"am": 1}
    assert store.outbox_depths() == {"am": 2}
    assert sorted(a.rule for a in store.alert_state()[0]) == ["A", "B"]
    store.close()
