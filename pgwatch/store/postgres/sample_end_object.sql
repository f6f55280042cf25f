-- The object vanished from its view: a NULL in each of its series breaks every delta.
INSERT INTO {schema}.samples (series_id, ts, value)
SELECT id, %(ts)s::bigint, NULL::double precision FROM {schema}.series WHERE object_id = %(object_id)s
ON CONFLICT (series_id, ts) DO NOTHING;
