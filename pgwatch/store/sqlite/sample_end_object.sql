-- The object vanished from its view: a NULL in each of its series breaks every delta.
INSERT OR IGNORE INTO samples (series_id, ts, value)
SELECT id, :ts, NULL FROM series WHERE object_id = :object_id;
