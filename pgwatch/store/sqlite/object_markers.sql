SELECT se.id
FROM series AS se
JOIN metrics AS m ON m.id = se.metric_id
WHERE se.object_id = :object_id AND m.kind = 3;
