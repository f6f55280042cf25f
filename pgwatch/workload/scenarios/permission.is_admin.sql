-- May this user manage this team: an active admin membership.
-- category: permission
SELECT EXISTS (
    SELECT 1 FROM public.team_members AS m
    WHERE m.team_id = %(team_id)s AND m.user_id = %(user_id)s
      AND m.role = 'ADMIN' AND m.left_at IS NULL
) AS is_admin
