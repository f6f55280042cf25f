-- Removes the Mile Quest schema entirely: every table, function and trigger of 0001.

DROP TRIGGER activities_recalculate_stats ON public.activities;
DROP FUNCTION public.activities_recalculate_stats();
DROP FUNCTION public.rebuild_activity_stats();
DROP FUNCTION public.recalculate_user_stats(uuid);
DROP FUNCTION public.recalculate_team_progress(uuid);
DROP FUNCTION public.user_streaks(uuid);
DROP TABLE public.user_achievements;
DROP TABLE public.achievements;
DROP TABLE public.team_invites;
DROP TABLE public.user_stats;
DROP TABLE public.team_progress;
DROP TABLE public.activities;
DROP TABLE public.team_goals;
DROP TABLE public.team_members;
DROP TABLE public.teams;
DROP TABLE public.users;
