-- Series with nothing left to read leave the dictionary.
DELETE FROM series
WHERE NOT EXISTS (SELECT 1 FROM samples AS s WHERE s.series_id = series.id)
  AND NOT EXISTS (SELECT 1 FROM rollups AS r WHERE r.series_id = series.id);
