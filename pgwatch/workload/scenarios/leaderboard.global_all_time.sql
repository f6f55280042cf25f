-- The all-time leaderboard from the maintained user statistics: top 100 live users.
-- category: leaderboard
SELECT s.user_id, u.name, s.total_distance, s.total_activities
FROM public.user_stats AS s
JOIN public.users AS u ON u.id = s.user_id
WHERE u.deleted_at IS NULL
ORDER BY s.total_distance DESC
LIMIT 100
