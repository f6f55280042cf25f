-- Sample Mile Quest data for the migration tests, deterministic: 200 users, 20 teams of 20
-- members, two goals per team, and pgwatch_test.activities activities spread over 120 days.
-- Loaded with triggers off (session_replication_role = replica), then the stats are rebuilt.
SET session_replication_role = replica;

INSERT INTO public.users (email, name)
SELECT 'user' || i || '@example.test', 'User ' || i FROM generate_series(1, 200) AS i;

CREATE TEMP TABLE seed_users AS
SELECT row_number() OVER (ORDER BY email) - 1 AS n, id FROM public.users;

INSERT INTO public.teams (name, description, is_public, created_by)
SELECT 'Team ' || i, 'Walkers and runners of district ' || i, i % 4 <> 0,
       (SELECT id FROM seed_users WHERE n = i)
FROM generate_series(0, 19) AS i;

CREATE TEMP TABLE seed_teams AS
SELECT row_number() OVER (ORDER BY name) - 1 AS n, id FROM public.teams;

INSERT INTO public.team_members (team_id, user_id, role, left_at)
SELECT t.id, u.id, CASE WHEN u.n < 20 THEN 'ADMIN' ELSE 'MEMBER' END,
       CASE WHEN u.n % 17 = 5 THEN now() - interval '3 days' END
FROM seed_users AS u
JOIN seed_teams AS t ON t.n = u.n % 20 OR t.n = (u.n * 7 + 3) % 20;

INSERT INTO public.team_goals (team_id, name, target_distance, start_date, end_date, status,
                               route_data, created_by)
SELECT t.id, 'Goal ' || t.n || '-' || k, 500000 * k, now() - interval '120 days',
       now() + interval '60 days', CASE WHEN k = 1 THEN 'ACTIVE' ELSE 'DRAFT' END,
       jsonb_build_object('waypoints', k * 3), (SELECT id FROM seed_users WHERE n = t.n)
FROM seed_teams AS t CROSS JOIN generate_series(1, 2) AS k;

INSERT INTO public.activities (user_id, team_id, team_goal_id, distance, duration, start_time,
                               source, external_id, is_private, notes)
SELECT u.id, t.id,
       CASE WHEN i % 5 <> 0 THEN (SELECT g.id FROM public.team_goals AS g
                                  WHERE g.team_id = t.id ORDER BY g.name LIMIT 1) END,
       round((1000 + (i::bigint * 7919) % 15000)::numeric, 2), 300 + ((i::bigint * 104729) % 5400)::integer,
       now() - ((i * 31) % (120 * 24 * 60)) * interval '1 minute',
       (ARRAY['MANUAL', 'STRAVA', 'APPLE_HEALTH', 'GOOGLE_FIT'])[1 + i % 4],
       CASE WHEN i % 4 <> 0 THEN 'ext-' || i END, i % 10 = 0, NULL
FROM generate_series(1, current_setting('pgwatch_test.activities')::integer) AS i
JOIN seed_users AS u ON u.n = (i::bigint * i) % 200
JOIN seed_teams AS t ON t.n = u.n % 20;

SET session_replication_role = origin;
SELECT public.rebuild_activity_stats();
ANALYZE;
