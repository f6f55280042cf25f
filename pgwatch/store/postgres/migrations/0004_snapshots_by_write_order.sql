-- The latest snapshot is the one written last (the highest id), not the one with the newest
-- taken_at: after the wall clock steps back, the newer snapshot carries the earlier time.
-- One writer per (target, collector) (the daemon that owns the target), so id order is the
-- order of its writes.
DROP INDEX {schema}.snapshots_latest;

CREATE INDEX snapshots_latest ON {schema}.snapshots (target, collector, id);

INSERT INTO {schema}.schema_version (version, applied_at)
VALUES (4, extract(epoch FROM pg_catalog.now())::bigint);
