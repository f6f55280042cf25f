-- Releases the runner's advisory lock.
SELECT pg_catalog.pg_advisory_unlock(%(key)s)
