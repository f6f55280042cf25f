-- Last week's top 50 and each one's rank the week before, from the precomputed leaderboard.
-- category: leaderboard
-- requires: public.mv_global_leaderboard
SELECT l.user_id, l.last_week_distance AS distance, l.rank_last_week AS rank,
       l.rank_week_before AS previous_rank,
       l.rank_week_before - l.rank_last_week AS movement
FROM public.mv_global_leaderboard AS l
WHERE l.rank_last_week IS NOT NULL
ORDER BY l.rank_last_week
LIMIT 50
