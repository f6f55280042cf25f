INSERT INTO {schema}.latest_rows (target, collector, taken_at, body)
VALUES (%(target)s, %(collector)s, %(taken_at)s, %(body)s)
ON CONFLICT (target, collector) DO UPDATE SET taken_at = EXCLUDED.taken_at, body = EXCLUDED.body;
