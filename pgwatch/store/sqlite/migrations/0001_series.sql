-- The series dictionary (metric + object labels -> id), raw samples and events.
CREATE TABLE metrics (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind INTEGER NOT NULL
);

CREATE TABLE objects (
    id INTEGER PRIMARY KEY,
    target TEXT NOT NULL,
    collector TEXT NOT NULL,
    labels TEXT NOT NULL,
    UNIQUE (target, collector, labels)
);

CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    object_id INTEGER NOT NULL REFERENCES objects (id),
    metric_id INTEGER NOT NULL REFERENCES metrics (id),
    UNIQUE (metric_id, object_id)
);

CREATE INDEX series_object ON series (object_id);

-- A NULL value marks the instant an object vanished: no delta is computed across it.
CREATE TABLE samples (
    series_id INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    value REAL,
    PRIMARY KEY (series_id, ts)
) WITHOUT ROWID;

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    target TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL,
    at INTEGER NOT NULL
);

CREATE INDEX events_at ON events (at);

INSERT INTO schema_version (version, applied_at) VALUES (1, unixepoch());
