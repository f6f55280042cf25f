-- The teams and roles of a user's active memberships, checked on every request.
-- category: permission
SELECT m.team_id, m.role
FROM public.team_members AS m
WHERE m.user_id = %(user_id)s AND m.left_at IS NULL
