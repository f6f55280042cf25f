-- How many activities the quarterly archive job would move: created in the quarter that ended
-- six months ago.
-- category: aggregation
SELECT count(*) AS activities, min(a.created_at) AS oldest, max(a.created_at) AS newest
FROM public.activities AS a
WHERE a.created_at >= date_trunc('quarter', now()) - interval '9 months'
  AND a.created_at < date_trunc('quarter', now()) - interval '6 months'
