-- Where an import from an external source resumes: the newest activity the user imported from it.
-- category: lookup
SELECT a.start_time, a.external_id
FROM public.activities AS a
WHERE a.user_id = %(user_id)s AND a.source = %(source)s AND a.source <> 'MANUAL'
ORDER BY a.start_time DESC
LIMIT 1
