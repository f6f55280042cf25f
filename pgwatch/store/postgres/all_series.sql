SELECT se.object_id, se.id, m.kind
FROM {schema}.series AS se
JOIN {schema}.metrics AS m ON m.id = se.metric_id
ORDER BY se.object_id, se.id;
