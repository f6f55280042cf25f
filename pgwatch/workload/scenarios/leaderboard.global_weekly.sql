-- The global leaderboard of last (complete) UTC week: top 100 users by public distance.
-- category: leaderboard
SELECT a.user_id, sum(a.distance) AS distance, count(*) AS activities,
       rank() OVER (ORDER BY sum(a.distance) DESC) AS rank
FROM public.activities AS a
WHERE a.is_private = false
  AND date_trunc('week', a.start_time AT TIME ZONE 'UTC')::date
      = date_trunc('week', now() AT TIME ZONE 'UTC')::date - 7
GROUP BY a.user_id
ORDER BY distance DESC
LIMIT 100
