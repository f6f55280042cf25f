INSERT INTO series (object_id, metric_id) VALUES (:object_id, :metric_id)
ON CONFLICT (metric_id, object_id) DO UPDATE SET object_id = excluded.object_id
RETURNING id;
