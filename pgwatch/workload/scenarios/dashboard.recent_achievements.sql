-- The five achievements a user earned last.
-- category: dashboard
SELECT a.key, a.name, ua.earned_at
FROM public.user_achievements AS ua
JOIN public.achievements AS a ON a.id = ua.achievement_id
WHERE ua.user_id = %(user_id)s
ORDER BY ua.earned_at DESC
LIMIT 5
