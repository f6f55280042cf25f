-- The current UTC month's top 100 read from the precomputed global leaderboard.
-- category: leaderboard
-- requires: public.mv_global_leaderboard
SELECT l.user_id, l.month_distance AS distance, l.month_activities AS activities,
       l.rank_month AS rank
FROM public.mv_global_leaderboard AS l
WHERE l.rank_month IS NOT NULL
ORDER BY l.rank_month
LIMIT 100
