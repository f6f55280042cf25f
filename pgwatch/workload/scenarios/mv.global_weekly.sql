-- This week's global top 100 read from migration 0003's materialized view (refreshed on
-- demand, so as fresh as its last refresh); not comparable before 0003, where it cannot run.
-- category: leaderboard
-- requires: public.mv_global_leaderboard
SELECT l.user_id, l.user_name, l.week_distance, l.rank_week
FROM public.mv_global_leaderboard AS l
ORDER BY l.rank_week
LIMIT 100
