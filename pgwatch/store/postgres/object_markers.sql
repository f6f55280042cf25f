SELECT se.id
FROM {schema}.series AS se
JOIN {schema}.metrics AS m ON m.id = se.metric_id
WHERE se.object_id = %(object_id)s AND m.kind = 3;
