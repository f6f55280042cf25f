-- Random activities to update, view, and look up by external id.
SELECT a.id, a.source, a.external_id
FROM public.activities AS a
ORDER BY random()
LIMIT %(limit)s;
