SELECT se.id, o.id, o.target, o.labels
FROM series AS se
JOIN objects AS o ON o.id = se.object_id
WHERE se.metric_id = :metric_id
ORDER BY o.target, o.labels;
