-- Row counts of the generated tables, for the load report and the bench JSON.
SELECT 'users' AS name, pg_catalog.count(*) AS n FROM public.users
UNION ALL SELECT 'teams', pg_catalog.count(*) FROM public.teams
UNION ALL SELECT 'team_members', pg_catalog.count(*) FROM public.team_members
UNION ALL SELECT 'team_goals', pg_catalog.count(*) FROM public.team_goals
UNION ALL SELECT 'activities', pg_catalog.count(*) FROM public.activities
UNION ALL SELECT 'team_progress', pg_catalog.count(*) FROM public.team_progress
UNION ALL SELECT 'user_stats', pg_catalog.count(*) FROM public.user_stats
UNION ALL SELECT 'team_invites', pg_catalog.count(*) FROM public.team_invites
UNION ALL SELECT 'user_achievements', pg_catalog.count(*) FROM public.user_achievements;
