INSERT INTO {schema}.samples (series_id, ts, value)
VALUES (%(series_id)s, %(ts)s, %(value)s)
ON CONFLICT (series_id, ts) DO UPDATE SET value = EXCLUDED.value;
