"""Turning SIGINT and SIGTERM into an event, so long-running commands stop in order."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def stop_event(*signals: signal.Signals) -> Iterator[threading.Event]:
    """An event set by the first of ``signals`` (default SIGINT, SIGTERM) while in the block.

    The previous handlers come back on exit, so a second Ctrl-C during shutdown still works.
    """
    chosen = signals or (signal.SIGINT, signal.SIGTERM)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda _s, _f: stop.set()) for sig in chosen}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def wait_for(stop: threading.Event, duration: float) -> None:
    """Block until ``stop`` is set or ``duration`` seconds pass (0: no limit)."""
    if duration:
        stop.wait(duration)
        return
    while not stop.wait(1.0):
        pass
