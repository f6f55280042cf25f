-- A user's all-time percentile and rank read from migration 0003's materialized view.
-- category: leaderboard
-- requires: public.mv_global_leaderboard
SELECT l.percentile, l.rank_all_time, l.rank_month, l.rank_week
FROM public.mv_global_leaderboard AS l
WHERE l.user_id = %(user_id)s
