INSERT INTO {schema}.series (object_id, metric_id) VALUES (%(object_id)s, %(metric_id)s)
ON CONFLICT (metric_id, object_id) DO UPDATE SET object_id = EXCLUDED.object_id
RETURNING id;
