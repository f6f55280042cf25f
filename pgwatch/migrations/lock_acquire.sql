-- One runner at a time per database: a session-level advisory lock held for the whole run.
-- Tried, never waited for: a session blocked in pg_advisory_lock() is an open transaction,
-- and CREATE INDEX CONCURRENTLY in the runner holding the lock would wait for it (a deadlock).
SELECT pg_catalog.pg_try_advisory_lock(%(key)s) AS acquired
