-- A user logs an activity for one of their teams (and its active goal), firing the stats triggers.
-- category: write
INSERT INTO public.activities (user_id, team_id, team_goal_id, distance, duration, start_time,
                               notes, source, external_id, is_private)
VALUES (%(user_id)s, %(team_id)s, %(goal_id)s, %(distance)s, %(duration)s,
        now() - interval '20 minutes', 'logged by pgwatch bench', %(new_source)s,
        %(new_external_id)s, %(private)s)
