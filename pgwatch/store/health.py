"""The store as ``/metrics`` and ``/readyz`` see it: write outcomes and size, kept in memory.

A scrape never waits on the store: the writing threads record how their writes went, and the
size (a ``stat`` of the SQLite files, or a query to a PostgreSQL store) is measured off the
scrape path by ``refresh_size``; a scrape reads the last values under a lock of its own.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from pgwatch.collectors.base import Snapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StoreStatus:
    """Counters and last values of the store's writes and size."""

    writes_total: int = 0
    write_errors_total: int = 0
    last_write_success_at: float = 0.0
    last_error: str = ""
    failing: bool = False  # the last write failed
    size_bytes: float = 0.0
    size_measured_at: float = 0.0


class StoreHealth:
    """Wraps the store's ``write`` as a sink and remembers its outcome."""

    def __init__(self, write: Callable[[Snapshot], bool], size: Callable[[], int],
                 clock: Callable[[], float] = time.time) -> None:
        self._write = write
        self._size = size
        self._clock = clock
        self._lock = threading.Lock()
        self._status = StoreStatus()

    def write(self, snapshot: Snapshot) -> None:
        """Store ``snapshot``; a failure is recorded, then raised to the caller.

        A write that had nothing due (the store's cadence) does not end a failure: only one
        that reached the disk or the server shows that the store works again.
        """
        try:
            wrote = self._write(snapshot)
        except Exception as exc:
            with self._lock:
                old = self._status
                self._status = replace(old, writes_total=old.writes_total + 1,
                                        write_errors_total=old.write_errors_total + 1,
                                        last_error=_first_line(exc), failing=True)
            raise
        with self._lock:
            old = self._status
            if not wrote:
                self._status = replace(old, writes_total=old.writes_total + 1)
                return
            if old.failing:
                log.info("store: writing again after %s", old.last_error)
            self._status = replace(old, writes_total=old.writes_total + 1,
                                    last_write_success_at=self._clock(), failing=False)

    def refresh_size(self) -> None:
        """Measure the store's size now (off the scrape path; may wait on the store)."""
        try:
            size = float(self._size())
        except Exception as exc:
            log.warning("store: cannot measure its size: %s", _first_line(exc))
            return
        with self._lock:
            self._status = replace(self._status, size_bytes=size,
                                    size_measured_at=self._clock())

    def status(self) -> StoreStatus:
        with self._lock:
            return self._status


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
