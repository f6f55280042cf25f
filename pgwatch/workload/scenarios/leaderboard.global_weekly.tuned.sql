-- Last complete UTC week's top 100 read from the precomputed global leaderboard.
-- category: leaderboard
-- requires: public.mv_global_leaderboard
SELECT l.user_id, l.last_week_distance AS distance, l.last_week_activities AS activities,
       l.rank_last_week AS rank
FROM public.mv_global_leaderboard AS l
WHERE l.rank_last_week IS NOT NULL
ORDER BY l.rank_last_week
LIMIT 100
