-- De-duplication during an import: the activity already stored for an external id, if any.
-- category: lookup
SELECT a.id, a.updated_at, a.distance
FROM public.activities AS a
WHERE a.source = %(source_of_external)s AND a.external_id = %(external_id)s
