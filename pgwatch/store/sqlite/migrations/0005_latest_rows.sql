-- The newest rows of each (target, collector), replaced as often as samples are written
-- (store.sample_interval): a report from another process (pgwatch report -c) reads every
-- object's newest values, not the per-object snapshot of up to 12 hours ago. Filled from the
-- snapshot written last, so that an upgraded store reads as before until the next write.
CREATE TABLE latest_rows (
    target TEXT NOT NULL,
    collector TEXT NOT NULL,
    taken_at INTEGER NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (target, collector)
) WITHOUT ROWID;

INSERT INTO latest_rows (target, collector, taken_at, body)
SELECT s.target, s.collector, s.taken_at, s.body
  FROM snapshots AS s
 WHERE s.id = (SELECT max(n.id) FROM snapshots AS n
                WHERE n.target = s.target AND n.collector = s.collector);

INSERT INTO schema_version (version, applied_at) VALUES (5, unixepoch());
