-- One runner at a time per database: a session-level advisory lock held for the whole run.
SELECT pg_catalog.pg_advisory_lock(%(key)s)
