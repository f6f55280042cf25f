-- Steps already finished by incomplete migrations.
SELECT version, direction, step, checksum
FROM pgwatch_meta.migration_steps
ORDER BY version, direction, step
