"""Prometheus' duration syntax (``1h30m``, ``5m``, ``1d``, ``1w``, ``1y``, ``250ms``)."""

from __future__ import annotations

import re

from pgwatch.errors import PgwatchError

_DURATION = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?"
                       r"(?:(\d+)ms)?$")
_UNITS_MS = (365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1)
_NAMES = ("y", "w", "d", "h", "m", "s", "ms")
_MAX_MS = (1 << 63) // 1_000_000


class DurationError(PgwatchError):
    """A duration is not in Prometheus' syntax; the message is Prometheus' own."""


def parse_duration_ms(text: str) -> int:
    """model.ParseDuration, in milliseconds."""
    if text == "0":
        return 0
    if text == "":
        raise DurationError("empty duration string")
    found = _DURATION.match(text)
    if found is None:
        raise DurationError(f'not a valid duration string: "{text}"')
    total = 0
    for part, unit in zip(found.groups(), _UNITS_MS, strict=True):
        if part is not None:
            total += int(part) * unit
            if total > _MAX_MS:
                raise DurationError("duration out of range")
    return total


def parse_duration_s(text: str) -> float:
    """model.ParseDuration, in seconds."""
    return parse_duration_ms(text) / 1000


def format_duration_ms(ms: int) -> str:
    """model.Duration.String(): ``5m``, ``1h30m``, ``0s``."""
    if ms == 0:
        return "0s"
    out = "-" if ms < 0 else ""
    rest = abs(ms)
    for unit, name in zip(_UNITS_MS, _NAMES, strict=True):
        count, rest = divmod(rest, unit)
        if count:
            out += f"{count}{name}"
    return out


def format_go_duration_ms(ms: int) -> str:
    """time.Duration.String() of a whole number of milliseconds: ``1m0s``, ``1h5m0s``, ``1.5s``."""
    if ms == 0:
        return "0s"
    sign = "-" if ms < 0 else ""
    ms = abs(ms)
    if ms < 1000:
        return f"{sign}{ms}ms"
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds = f"{rest // 1000}" + (f".{rest % 1000:03d}".rstrip("0") if rest % 1000 else "")
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds}s"
    if minutes:
        return f"{sign}{minutes}m{seconds}s"
    return f"{sign}{seconds}s"
