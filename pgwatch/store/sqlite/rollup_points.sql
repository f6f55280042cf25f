SELECT hour, n, min, max, avg, last, increase FROM rollups
WHERE series_id = :series_id AND hour >= :since AND hour <= :until
ORDER BY hour;
