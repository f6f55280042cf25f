"""The PostgreSQL history store: the same interface in a schema of a shared database."""

from pgwatch.store.postgres.backend import DEFAULT_SCHEMA, PostgresBackend, PostgresStore

__all__ = ["DEFAULT_SCHEMA", "PostgresBackend", "PostgresStore"]
