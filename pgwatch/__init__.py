"""pgwatch: PostgreSQL observability and performance monitoring."""

__version__ = "0.1.0"
