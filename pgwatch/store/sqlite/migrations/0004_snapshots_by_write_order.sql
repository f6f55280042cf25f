-- The latest snapshot is the one written last (the highest id), not the one with the newest
-- taken_at: after the wall clock steps back, the newer snapshot carries the earlier time.
DROP INDEX snapshots_latest;

CREATE INDEX snapshots_latest ON snapshots (target, collector, id);

INSERT INTO schema_version (version, applied_at) VALUES (4, unixepoch());
