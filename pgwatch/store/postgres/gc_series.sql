-- Series with nothing left to read leave the dictionary.
DELETE FROM {schema}.series AS se
WHERE NOT EXISTS (SELECT 1 FROM {schema}.samples AS s WHERE s.series_id = se.id)
  AND NOT EXISTS (SELECT 1 FROM {schema}.rollups AS r WHERE r.series_id = se.id);
