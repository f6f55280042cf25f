-- A user leaves a team.
-- category: write
UPDATE public.team_members
SET left_at = now()
WHERE team_id = %(visitor_team_id)s AND user_id = %(visitor_id)s AND left_at IS NULL
