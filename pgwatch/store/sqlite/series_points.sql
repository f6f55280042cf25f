SELECT ts, value FROM samples
WHERE series_id = :series_id AND ts >= :since AND ts <= :until
ORDER BY ts;
