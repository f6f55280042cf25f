"""The values the alerting package hands from one part to the next: rules and alerts."""

from __future__ import annotations

import enum
from dataclasses import dataclass

Labels = tuple[tuple[str, str], ...]  # sorted by name; an alert's include ``alertname``


class AlertState(enum.StrEnum):
    """Where an alert is in its life cycle, spelled as Prometheus' API spells it."""

    PENDING = "pending"
    FIRING = "firing"
    INACTIVE = "inactive"  # resolved: kept for a while so receivers hear the resolution


@dataclass(frozen=True, slots=True)
class AlertingRule:
    """One ``alert:`` entry of a rule file, as loaded and checked."""

    name: str
    expr: str
    for_s: float
    keep_firing_for_s: float
    labels: Labels
    annotations: Labels
    group: str
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class RecordingRule:
    """One ``record:`` entry; loaded only for promtool unit tests (the daemon refuses them)."""

    name: str
    expr: str
    labels: Labels
    group: str
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class RuleGroup:
    """One ``groups:`` entry: rules evaluated together at one interval."""

    name: str
    file: str
    interval_s: float | None  # None: the configured evaluation interval
    rules: tuple[AlertingRule, ...]
    limit: int = 0
    recording: tuple[RecordingRule, ...] = ()  # evaluated with ``rules`` in line order


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert of one rule: its labels (rule labels over series labels, ``alertname``),
    expanded annotations and state. Times are Unix seconds; 0 means not yet.
    """

    rule: str
    group: str
    labels: Labels
    annotations: Labels
    state: AlertState
    value: float
    active_at: float
    fired_at: float = 0.0
    resolved_at: float = 0.0
    last_sent_at: float = 0.0
    keep_firing_since: float = 0.0

    @property
    def fingerprint(self) -> str:
        """A stable key for the alert: its label set."""
        return "\x1f".join(f"{k}={v}" for k, v in self.labels)
