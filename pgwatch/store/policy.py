"""What the store persists, and for how long: the knobs that keep it bounded."""

from __future__ import annotations

from dataclasses import dataclass

DAY_S = 86_400


@dataclass(frozen=True, slots=True)
class StorePolicy:
    """How much history to keep; every size is per (target, collector).

    - No series is written more often than once per ``min_sample_interval_s``, whatever
      the collector's interval (activity, locks and replication run every 15 s).
    - A collector returning at most ``small_collector_rows`` rows writes every object's
      series (databases, replicas, WAL, ...).
    - A larger collector writes aggregates (per field: the sum over all objects, and the
      object count, labelled ``aggregate="sum"``) with every sample, so rules read a
      view of all of it, and per-object series for at most ``top_n`` objects,
      ranked by a union over all its counters of the activity since the previous
      snapshot, at most once per ``object_series_interval_s``.
    - Every object's full row (labels, numbers, texts) is kept as a compressed per-object
      snapshot at most once per ``object_snapshot_interval_s``; the newest rows replace the
      previous newest as often as samples are written (what a report from another process
      reads).
    """

    raw_retention_s: int = 7 * DAY_S
    rollup_retention_s: int = 90 * DAY_S
    snapshot_retention_s: int = 7 * DAY_S
    event_retention_s: int = 90 * DAY_S
    top_n: int = 20
    small_collector_rows: int = 10
    min_sample_interval_s: int = 60
    object_series_interval_s: int = 600
    object_snapshot_interval_s: int = 12 * 3_600
    aggregates: bool = True
    reset_fields: tuple[str, ...] = ("stats_reset", "stats_since")
    text_dedup_min_chars: int = 64
    id_cache_entries: int = 200_000

    def is_reset_field(self, name: str) -> bool:
        """True for ``stats_reset``, ``stats_since`` and their unit-suffixed forms."""
        return any(name == rf or name.startswith(rf + "_") for rf in self.reset_fields)
