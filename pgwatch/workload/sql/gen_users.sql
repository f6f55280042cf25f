-- Users and teams. gen_user/gen_team map a dense index n to the uuid so later steps can
-- pick rows by a skewed random index with a plain join. 1 per cent of users are soft-deleted.
SELECT pg_catalog.setseed(%(seed)s);

CREATE TEMP TABLE gen_user ON COMMIT DROP AS
SELECT n, pg_catalog.gen_random_uuid() AS id,
       pg_catalog.now() - pg_catalog.make_interval(days => 400 + (random() * 700)::integer) AS created_at
FROM pg_catalog.generate_series(1, %(users)s) AS n;
ALTER TABLE gen_user ADD PRIMARY KEY (n);

INSERT INTO public.users (id, email, name, created_at, updated_at, deleted_at)
SELECT id, 'user' || n || '@example.com',
       (ARRAY['Ada', 'Bo', 'Cyd', 'Dee', 'Eli', 'Fay', 'Gus', 'Hal', 'Ivy', 'Jo'])[1 + mod(n, 10)]
           || ' ' || (ARRAY['Walker', 'Runner', 'Strider', 'Hiker', 'Rambler'])[1 + mod(n, 5)]
           || ' ' || n,
       created_at, created_at,
       CASE WHEN random() < 0.01 THEN pg_catalog.now() - interval '3 days' END
FROM gen_user;

CREATE TEMP TABLE gen_team ON COMMIT DROP AS
SELECT n, pg_catalog.gen_random_uuid() AS id,
       1 + pg_catalog.floor(%(users)s * random())::integer AS creator_n,
       pg_catalog.now() - pg_catalog.make_interval(days => 380 + (random() * 700)::integer) AS created_at
FROM pg_catalog.generate_series(1, %(teams)s) AS n;
ALTER TABLE gen_team ADD PRIMARY KEY (n);

-- Names and descriptions draw from small vocabularies so full-text search finds many teams.
INSERT INTO public.teams (id, name, description, is_public, created_by, created_at, updated_at,
                          deleted_at)
SELECT t.id,
       (ARRAY['Swift', 'Mighty', 'Happy', 'Urban', 'Coastal', 'Alpine', 'Midnight', 'Sunrise',
              'Iron', 'Lucky', 'Wild', 'Quiet'])[1 + mod(t.n, 12)] || ' '
           || (ARRAY['Striders', 'Pacers', 'Trekkers', 'Walkers', 'Runners', 'Wanderers',
                     'Foxes', 'Herons', 'Otters'])[1 + mod(t.n / 12, 9)] || ' ' || t.n,
       'A team of ' || (ARRAY['marathon', 'trail', 'city', 'lunch-break', 'weekend', 'charity',
                              'office', 'family'])[1 + mod(t.n * 7, 8)]
           || ' ' || (ARRAY['runners', 'walkers', 'hikers', 'joggers'])[1 + mod(t.n * 3, 4)]
           || ' heading for ' || (ARRAY['Lisbon', 'Rome', 'the coast', 'the summit', 'Santiago',
                                        'the moon', 'Paris'])[1 + mod(t.n * 5, 7)],
       random() < 0.8, u.id, t.created_at, t.created_at,
       CASE WHEN random() < 0.02 THEN pg_catalog.now() - interval '10 days' END
FROM gen_team AS t JOIN gen_user AS u ON u.n = t.creator_n;
