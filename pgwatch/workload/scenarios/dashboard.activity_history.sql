-- A page of a user's activity history, newest first, keyset pagination on (start_time, id).
-- category: dashboard
SELECT a.id, a.start_time, a.distance, a.duration, a.team_id, a.team_goal_id, a.source,
       a.is_private
FROM public.activities AS a
WHERE a.user_id = %(user_id)s
  AND (a.start_time, a.id) < (%(cursor_time)s, %(cursor_id)s)
ORDER BY a.start_time DESC, a.id DESC
LIMIT 20
