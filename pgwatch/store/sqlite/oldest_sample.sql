-- One index seek per series rather than a scan of every sample.
SELECT min((SELECT min(s.ts) FROM samples AS s WHERE s.series_id = se.id)) FROM series AS se;
