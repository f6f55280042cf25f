DELETE FROM samples
WHERE series_id IN (SELECT id FROM series) AND ts < :horizon;
