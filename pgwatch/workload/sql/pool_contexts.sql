-- Request contexts: random active memberships with the user's e-mail and the team's active
-- goal (NULL when it has none), so a scenario's user, team and goal always belong together.
SELECT m.user_id, m.team_id, u.email,
       (SELECT g.id FROM public.team_goals AS g
        WHERE g.team_id = m.team_id AND g.status = 'ACTIVE' LIMIT 1) AS goal_id
FROM public.team_members AS m
JOIN public.users AS u ON u.id = m.user_id
WHERE m.left_at IS NULL AND u.deleted_at IS NULL
ORDER BY random()
LIMIT %(limit)s;
