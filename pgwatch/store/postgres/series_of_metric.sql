SELECT se.id, o.id, o.target, o.labels
FROM {schema}.series AS se
JOIN {schema}.objects AS o ON o.id = se.object_id
WHERE se.metric_id = %(metric_id)s
ORDER BY o.target, o.labels;
