-- The runner's bookkeeping, in a schema of its own so that schema dumps of the application
-- compare equal before `up` and after `down`.
CREATE SCHEMA IF NOT EXISTS pgwatch_meta;

CREATE TABLE IF NOT EXISTS pgwatch_meta.schema_migrations (
    version       integer PRIMARY KEY,
    name          text NOT NULL,
    up_checksum   text NOT NULL,
    down_checksum text NOT NULL,
    applied_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    duration_ms   double precision NOT NULL,
    applied_by    text NOT NULL DEFAULT CURRENT_USER
);

-- Steps finished by a migration that is not complete yet: a resumed run skips them.
CREATE TABLE IF NOT EXISTS pgwatch_meta.migration_steps (
    version     integer NOT NULL,
    direction   text NOT NULL CHECK (direction IN ('up', 'down')),
    step        integer NOT NULL,
    checksum    text NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (version, direction, step)
);
