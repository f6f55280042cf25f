"""Keeping the daemon's resident memory close to what it uses (glibc's allocator only).

Each collection of 10,000 tables builds and drops tens of megabytes of rows; glibc keeps
freed memory for reuse, per thread arena, unless told otherwise. Elsewhere these are no-ops.
"""

from __future__ import annotations

import ctypes

_M_ARENA_MAX = -8


def _libc() -> ctypes.CDLL | None:
    """glibc, when this process runs on it (musl and macOS have no mallopt/malloc_trim)."""
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


_LIBC = _libc()


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's per-thread malloc arenas: with a scheduler pool and HTTP threads each
    taking one, the daemon's resident memory grows by tens of MB for nothing."""
    if _LIBC is not None:
        _LIBC.mallopt(_M_ARENA_MAX, arenas)


def release_free_memory() -> None:
    """Give the pages that freed memory occupies back to the operating system."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)
