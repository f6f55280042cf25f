"""Loading SQL from ``.sql`` files, picking the variant that matches a server version."""

from pgwatch.sql.loader import load_sql, variants

__all__ = ["load_sql", "variants"]
