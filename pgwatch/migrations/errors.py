"""Errors of the migration runner; each names the migration file, step or object at fault."""

from __future__ import annotations

from pgwatch.errors import PgwatchError


class MigrationError(PgwatchError):
    """A migration cannot be loaded, applied or reverted."""


class VerificationError(PgwatchError):
    """The database does not match the migrations recorded as applied."""
