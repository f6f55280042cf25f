-- Hourly roll-ups, per-object snapshots with their deduplicated texts, and store metadata.
CREATE TABLE rollups (
    series_id INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    n INTEGER NOT NULL,
    min REAL NOT NULL,
    max REAL NOT NULL,
    avg REAL NOT NULL,
    last REAL NOT NULL,
    increase REAL,
    PRIMARY KEY (series_id, hour)
) WITHOUT ROWID;

CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY,
    target TEXT NOT NULL,
    collector TEXT NOT NULL,
    taken_at INTEGER NOT NULL,
    row_count INTEGER NOT NULL,
    body BLOB NOT NULL
);

CREATE INDEX snapshots_latest ON snapshots (target, collector, taken_at);

CREATE TABLE texts (
    digest TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    last_used INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO schema_version (version, applied_at) VALUES (2, unixepoch());
