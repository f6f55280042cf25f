-- Rows of team_progress and user_stats that differ from a recomputation over activities.
SELECT 'team_progress ' || p.team_goal_id AS what
FROM public.team_progress AS p
LEFT JOIN LATERAL (
    SELECT COALESCE(sum(a.distance), 0) AS d, count(*)::integer AS n,
           COALESCE(sum(a.duration), 0)::bigint AS s, max(a.start_time) AS last
    FROM public.activities AS a WHERE a.team_goal_id = p.team_goal_id) AS x ON true
WHERE (p.total_distance, p.total_activities, p.total_duration, p.last_activity_at)
      IS DISTINCT FROM (x.d, x.n, x.s, x.last)
UNION ALL
SELECT 'team_progress missing for ' || a.team_goal_id
FROM (SELECT DISTINCT team_goal_id FROM public.activities WHERE team_goal_id IS NOT NULL) AS a
WHERE NOT EXISTS (SELECT 1 FROM public.team_progress AS p WHERE p.team_goal_id = a.team_goal_id)
UNION ALL
SELECT 'user_stats ' || u.user_id
FROM public.user_stats AS u
LEFT JOIN LATERAL (
    SELECT COALESCE(sum(a.distance), 0) AS d, count(*)::integer AS n,
           COALESCE(sum(a.duration), 0)::bigint AS s, max(a.start_time) AS last
    FROM public.activities AS a WHERE a.user_id = u.user_id) AS x ON true
CROSS JOIN LATERAL public.user_streaks(u.user_id) AS k
WHERE (u.total_distance, u.total_activities, u.total_duration, u.last_activity_at,
       u.current_streak, u.longest_streak)
      IS DISTINCT FROM (x.d, x.n, x.s, x.last, k.current_streak, k.longest_streak)
UNION ALL
SELECT 'user_stats missing for ' || a.user_id
FROM (SELECT DISTINCT user_id FROM public.activities) AS a
WHERE NOT EXISTS (SELECT 1 FROM public.user_stats AS u WHERE u.user_id = a.user_id)
