"""Exponential back-off for a target that is down, and instant recovery when it returns."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Shared by every job of one target: after a failure, jobs wait before trying again.

    The wait doubles with each consecutive failure up to ``ceiling_s``; the first success
    clears it, so collection resumes at full cadence as soon as the target answers.
    """

    base_s: float = 1.0
    ceiling_s: float = 60.0
    failures: int = 0
    retry_at: float = 0.0
    last_error: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def may_try(self, now: float | None = None) -> bool:
        with self._lock:
            return (time.monotonic() if now is None else now) >= self.retry_at

    def failed(self, reason: str, now: float | None = None) -> float:
        """Record a failure; returns the seconds until the next attempt."""
        with self._lock:
            self.failures += 1
            self.last_error = reason
            wait = min(self.ceiling_s, self.base_s * 2.0 ** (self.failures - 1))
            self.retry_at = (time.monotonic() if now is None else now) + wait
            return wait

    def succeeded(self) -> bool:
        """Clear the back-off; True when the target was down until now."""
        with self._lock:
            was_down = self.failures > 0
            self.failures, self.retry_at, self.last_error = 0, 0.0, ""
            return was_down

    @property
    def down(self) -> bool:
        return self.failures > 0
