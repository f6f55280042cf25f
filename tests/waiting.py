"""Waiting for a condition in a test, with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(check: Callable[[], object], within: float = 30.0, what: str = "condition",
               every: float = 0.1) -> None:
    """Return as soon as ``check()`` is true; fail naming ``what`` after ``within`` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(every)
    raise AssertionError(f"{what} not met within {within:g} s")
