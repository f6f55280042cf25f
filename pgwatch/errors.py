"""The exception tree: every message names the file, line, key, target or option at fault.

The CLI prints ``str(error)`` on one line and exits with status 2 for any ``PgwatchError``.
"""

from __future__ import annotations


class PgwatchError(Exception):
    """Base of every error pgwatch reports to a user."""

    def __str__(self) -> str:
        # One line, always: the CLI prints this verbatim.
        return " ".join(super().__str__().split())


class ConfigError(PgwatchError):
    """The configuration file is invalid; the message starts with ``file:line: key.path:``."""


class TargetError(PgwatchError):
    """A monitored server cannot be reached or used."""


class PoolBusyError(TargetError):
    """Every connection of a target's pool stayed in use: the target answers, pgwatch's own
    runs were too many or too long; the run is the collector's failure, not the target's."""


class UnsupportedServerError(TargetError):
    """The server's major version is outside the supported range."""


class EmbeddedError(PgwatchError):
    """An embedded PostgreSQL cluster could not be prepared, started or stopped."""
