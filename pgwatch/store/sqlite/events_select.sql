SELECT target, kind, subject, detail, at FROM events
WHERE (:target IS NULL OR target = :target)
  AND (:kind IS NULL OR kind = :kind)
  AND at >= :since AND at <= :until
ORDER BY at, id
LIMIT :limit;
