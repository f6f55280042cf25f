-- A user's percentile rank in the current UTC month, from the precomputed leaderboard: one
-- row by user id, and the number of ranked users from the month's first-ranked row.
-- category: leaderboard
-- requires: public.mv_global_leaderboard
SELECT COALESCE(l.month_distance, 0) AS distance,
       COALESCE(l.month_percentile, 0) AS percentile,
       GREATEST((SELECT f.month_ranked_users FROM public.mv_global_leaderboard AS f
                 WHERE f.rank_month IS NOT NULL ORDER BY f.rank_month LIMIT 1), 1)
           AS ranked_users
FROM (SELECT 1) AS one
LEFT JOIN public.mv_global_leaderboard AS l ON l.user_id = %(user_id)s
