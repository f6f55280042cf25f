-- May this user see this team's pages: an active membership.
-- category: permission
SELECT EXISTS (
    SELECT 1 FROM public.team_members AS m
    WHERE m.user_id = %(user_id)s AND m.team_id = %(team_id)s AND m.left_at IS NULL
) AS is_member
