-- Invitations (one per five users, a third still pending), a fixed set of achievements, and
-- about three earned achievements per user.
INSERT INTO public.team_invites (team_id, email, invited_by, token, status, created_at,
                                 expires_at)
SELECT t.id, 'user' || i.n || '@example.com',
       u.id, pg_catalog.md5(i.n::text || random()::text),
       CASE WHEN random() < 0.33 THEN 'PENDING' WHEN random() < 0.7 THEN 'ACCEPTED'
            ELSE 'EXPIRED' END,
       pg_catalog.now() - interval '20 days', pg_catalog.now() + interval '10 days'
FROM pg_catalog.generate_series(1, GREATEST(%(users)s / 5, 1)) AS i(n)
JOIN gen_team AS t ON t.n = 1 + mod(i.n * 7919, %(teams)s)
JOIN gen_user AS u ON u.n = t.creator_n;

INSERT INTO public.achievements (key, name, description, category, criteria)
SELECT 'distance-' || k, 'Distance ' || k || ' km', 'Cover ' || k || ' km in total',
       'distance', pg_catalog.jsonb_build_object('total_distance_m', k * 1000)
FROM pg_catalog.unnest(ARRAY[10, 50, 100, 250, 500, 1000, 2500, 5000]) AS k
UNION ALL
SELECT 'streak-' || k, 'Streak ' || k, k || ' days in a row', 'streak',
       pg_catalog.jsonb_build_object('streak_days', k)
FROM pg_catalog.unnest(ARRAY[3, 7, 14, 30, 60, 100]) AS k;

INSERT INTO public.user_achievements (user_id, achievement_id, earned_at)
SELECT DISTINCT ON (u.id, a.id) u.id, a.id,
       pg_catalog.now() - pg_catalog.make_interval(days => (random() * 300)::integer)
FROM gen_user AS u
CROSS JOIN LATERAL pg_catalog.generate_series(1, 1 + (random() * 4)::integer + 0 * u.n) AS e(k)
JOIN LATERAL (SELECT id FROM public.achievements ORDER BY random() + 0 * e.k LIMIT 1) AS a ON true;
