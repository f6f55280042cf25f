-- The series dictionary (metric + object labels -> id), raw samples and events.
CREATE TABLE {schema}.metrics (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE,
    kind smallint NOT NULL
);

CREATE TABLE {schema}.objects (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target text NOT NULL,
    collector text NOT NULL,
    labels text NOT NULL,
    UNIQUE (target, collector, labels)
);

CREATE TABLE {schema}.series (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    object_id integer NOT NULL REFERENCES {schema}.objects (id),
    metric_id integer NOT NULL REFERENCES {schema}.metrics (id),
    UNIQUE (metric_id, object_id)
);

CREATE INDEX series_object ON {schema}.series (object_id);

-- A NULL value marks the instant an object vanished: no delta is computed across it.
-- The foreign key stops a sample from landing on a series another instance just removed.
CREATE TABLE {schema}.samples (
    series_id integer NOT NULL REFERENCES {schema}.series (id),
    ts bigint NOT NULL,
    value double precision,
    PRIMARY KEY (series_id, ts)
);

CREATE TABLE {schema}.events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target text NOT NULL,
    kind text NOT NULL,
    subject text NOT NULL,
    detail text NOT NULL,
    at bigint NOT NULL
);

CREATE INDEX events_at ON {schema}.events (at);

INSERT INTO {schema}.schema_version (version, applied_at)
VALUES (1, extract(epoch FROM pg_catalog.now())::bigint);
