-- One index probe per series rather than a scan of every sample.
SELECT min((SELECT min(s.ts) FROM {schema}.samples AS s WHERE s.series_id = se.id))
FROM {schema}.series AS se;
