DELETE FROM {schema}.objects AS o
WHERE NOT EXISTS (SELECT 1 FROM {schema}.series AS se WHERE se.object_id = o.id);
