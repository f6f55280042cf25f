-- A user joins a team, or rejoins one they had left.
-- category: write
INSERT INTO public.team_members (team_id, user_id, role)
VALUES (%(visitor_team_id)s, %(visitor_id)s, 'MEMBER')
ON CONFLICT (team_id, user_id) DO UPDATE SET left_at = NULL, joined_at = now()
