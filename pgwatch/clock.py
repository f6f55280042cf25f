"""Noticing a step of the wall clock (an NTP step, a suspended VM resumed).

The scheduler plans runs on the wall clock: after a step back it would wait out the step
before running anything. Comparing the wall clock with the monotonic one says when that
happened, and by how much.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

STEP_TOLERANCE_S = 2.0


class WallClockWatch:
    """Remembers the wall clock's offset from the monotonic one; ``stepped`` says when it moved."""

    def __init__(self, wall: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic,
                 tolerance_s: float = STEP_TOLERANCE_S) -> None:
        self._wall = wall
        self._monotonic = monotonic
        self._tolerance_s = tolerance_s
        self._offset = wall() - monotonic()

    def stepped(self) -> float:
        """The step since the last call in seconds (negative: back), or 0.0 within tolerance."""
        offset = self._wall() - self._monotonic()
        step = offset - self._offset
        self._offset = offset
        return step if abs(step) > self._tolerance_s else 0.0


def planned_too_far(next_run: datetime | None, now: datetime, interval_s: float,
                    tolerance_s: float = STEP_TOLERANCE_S) -> bool:
    """A run planned further ahead than one interval can be: planned on a wall clock that
    has since gone back, by a step the watch (sampled every few seconds) did not see, as when
    the clock goes forward and back between two of its looks."""
    return next_run is not None and (next_run - now).total_seconds() > interval_s + tolerance_s
