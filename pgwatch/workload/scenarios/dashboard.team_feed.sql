-- The feed across the user's active teams: the newest 30 public activities of all of them.
-- category: dashboard
SELECT f.id, f.user_id, f.team_id, f.start_time, f.distance, f.duration
FROM public.team_members AS m
CROSS JOIN LATERAL (
    SELECT a.id, a.user_id, a.team_id, a.start_time, a.distance, a.duration
    FROM public.activities AS a
    WHERE a.team_id = m.team_id AND a.is_private = false
    ORDER BY a.start_time DESC
    LIMIT 30) AS f
WHERE m.user_id = %(user_id)s AND m.left_at IS NULL
ORDER BY f.start_time DESC
LIMIT 30
