SELECT se.object_id, se.id, m.kind
FROM series AS se
JOIN metrics AS m ON m.id = se.metric_id
ORDER BY se.object_id, se.id;
