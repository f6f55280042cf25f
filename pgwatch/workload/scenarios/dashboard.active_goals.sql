-- A team's active goals with their maintained progress, soonest deadline first.
-- category: dashboard
SELECT g.id, g.name, g.target_distance, g.start_date, g.end_date,
       COALESCE(p.total_distance, 0) AS total_distance,
       COALESCE(p.total_activities, 0) AS total_activities,
       round(100 * COALESCE(p.total_distance, 0) / g.target_distance, 1) AS percent_done
FROM public.team_goals AS g
LEFT JOIN public.team_progress AS p ON p.team_goal_id = g.id
WHERE g.team_id = %(team_id)s AND g.status = 'ACTIVE'
ORDER BY g.end_date
