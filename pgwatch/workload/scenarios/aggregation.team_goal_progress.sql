-- Live progress of a team's active goals, summed over their activities.
-- category: aggregation
SELECT g.id, g.name, g.target_distance, COALESCE(sum(a.distance), 0) AS total_distance,
       count(a.distance) AS activities, COALESCE(sum(a.duration), 0) AS total_duration,
       max(a.start_time) AS last_activity_at
FROM public.team_goals AS g
LEFT JOIN public.activities AS a ON a.team_goal_id = g.id
WHERE g.team_id = %(team_id)s AND g.status = 'ACTIVE'
GROUP BY g.id, g.name, g.target_distance
