DELETE FROM objects
WHERE NOT EXISTS (SELECT 1 FROM series AS se WHERE se.object_id = objects.id);
