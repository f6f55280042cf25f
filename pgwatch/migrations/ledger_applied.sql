-- The migrations recorded as applied, oldest first.
SELECT version, name, up_checksum, down_checksum, applied_at, duration_ms
FROM pgwatch_meta.schema_migrations
ORDER BY version
