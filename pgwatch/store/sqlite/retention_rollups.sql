DELETE FROM rollups
WHERE series_id IN (SELECT id FROM series) AND hour < :horizon;
