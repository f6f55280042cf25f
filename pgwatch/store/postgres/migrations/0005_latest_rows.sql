-- The newest rows of each (target, collector), replaced as often as samples are written
-- (store.sample_interval): a report from another process (pgwatch report -c) reads every
-- object's newest values, not the per-object snapshot of up to 12 hours ago. Filled from the
-- snapshot written last, so that an upgraded store reads as before until the next write.
CREATE TABLE {schema}.latest_rows (
    target text NOT NULL,
    collector text NOT NULL,
    taken_at bigint NOT NULL,
    body bytea NOT NULL,
    PRIMARY KEY (target, collector)
);

INSERT INTO {schema}.latest_rows (target, collector, taken_at, body)
SELECT DISTINCT ON (s.target, s.collector) s.target, s.collector, s.taken_at, s.body
  FROM {schema}.snapshots AS s
 ORDER BY s.target, s.collector, s.id DESC;

INSERT INTO {schema}.schema_version (version, applied_at)
VALUES (5, extract(epoch FROM pg_catalog.now())::bigint);
