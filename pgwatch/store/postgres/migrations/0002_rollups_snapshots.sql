-- Hourly roll-ups, per-object snapshots with their deduplicated texts, and store metadata.
CREATE TABLE {schema}.rollups (
    series_id integer NOT NULL REFERENCES {schema}.series (id),
    hour bigint NOT NULL,
    n integer NOT NULL,
    min double precision NOT NULL,
    max double precision NOT NULL,
    avg double precision NOT NULL,
    last double precision NOT NULL,
    increase double precision,
    PRIMARY KEY (series_id, hour)
);

CREATE TABLE {schema}.snapshots (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target text NOT NULL,
    collector text NOT NULL,
    taken_at bigint NOT NULL,
    row_count integer NOT NULL,
    body bytea NOT NULL
);

CREATE INDEX snapshots_latest ON {schema}.snapshots (target, collector, taken_at);

CREATE TABLE {schema}.texts (
    digest text PRIMARY KEY,
    body text NOT NULL,
    last_used bigint NOT NULL
);

CREATE TABLE {schema}.meta (
    key text PRIMARY KEY,
    value bigint NOT NULL
);

INSERT INTO {schema}.schema_version (version, applied_at)
VALUES (2, extract(epoch FROM pg_catalog.now())::bigint);
