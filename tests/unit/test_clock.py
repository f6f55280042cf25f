"""Noticing wall-clock steps, and runs planned on a clock that has since gone back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pgwatch.clock import WallClockWatch, planned_too_far

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_a_step_is_reported_once_with_its_sign() -> None:
    wall, mono = [1_000.0], [10.0]
    watch = WallClockWatch(lambda: wall[0], lambda: mono[0])
    wall[0], mono[0] = 1_005.0, 15.0
    assert watch.stepped() == 0.0
    wall[0], mono[0] = 1_005.0 - 3_600, 20.0
    assert watch.stepped() == -3_605.0
    assert watch.stepped() == 0.0
    wall[0] += 1.5  # within tolerance: a slew, not a step
    assert watch.stepped() == 0.0


def test_a_run_further_ahead_than_its_interval_was_planned_on_a_clock_gone_back() -> None:
    assert not planned_too_far(NOW + timedelta(seconds=1), NOW, 1.0)
    assert not planned_too_far(NOW + timedelta(seconds=3), NOW, 1.0)  # within the tolerance
    assert planned_too_far(NOW + timedelta(hours=1), NOW, 1.0)
    assert not planned_too_far(NOW - timedelta(hours=1), NOW, 1.0)  # late: it runs anyway
    assert not planned_too_far(None, NOW, 1.0)  # paused
