-- Forgets a migration that was reverted.
DELETE FROM pgwatch_meta.schema_migrations WHERE version = %(version)s
