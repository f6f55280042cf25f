-- This month's global top 100 read from migration 0003's materialized view.
-- category: leaderboard
-- requires: public.mv_global_leaderboard
SELECT l.user_id, l.user_name, l.month_distance, l.rank_month
FROM public.mv_global_leaderboard AS l
ORDER BY l.rank_month
LIMIT 100
