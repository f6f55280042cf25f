-- (team, user) pairs without a membership: team_join and team_leave work on these only, so
-- the memberships every read scenario relies on stay as generated.
SELECT t.id AS team_id, u.id AS user_id
FROM (SELECT id FROM public.teams ORDER BY random() LIMIT %(limit)s) AS t
JOIN LATERAL (SELECT id FROM public.users AS x
              WHERE NOT EXISTS (SELECT 1 FROM public.team_members AS m
                                WHERE m.team_id = t.id AND m.user_id = x.id)
              ORDER BY random() LIMIT 1) AS u ON true;
