-- Memberships: each user joins 1 to 3 teams, popular teams (low n) far more often; team
-- creators are admins, 3 per cent of other members too; 10 per cent of memberships have ended.
-- gen_membership numbers each user's teams 0..k-1 so an activity can pick one uniformly.
CREATE TEMP TABLE gen_membership ON COMMIT DROP AS
SELECT DISTINCT ON (p.user_n, p.team_n) p.user_n, p.team_n
FROM (SELECT u.n AS user_n,
             1 + pg_catalog.floor(%(teams)s * pg_catalog.power(random(), 1.8))::integer AS team_n
      FROM gen_user AS u,
           pg_catalog.generate_series(1, 1 + pg_catalog.floor(3 * pg_catalog.power(random(), 2))::integer)
      UNION ALL
      SELECT creator_n, n FROM gen_team) AS p;

INSERT INTO public.team_members (team_id, user_id, role, joined_at, left_at)
SELECT t.id, u.id,
       CASE WHEN t.creator_n = m.user_n OR random() < 0.03 THEN 'ADMIN' ELSE 'MEMBER' END,
       GREATEST(t.created_at, u.created_at) + interval '1 day',
       CASE WHEN t.creator_n <> m.user_n AND random() < 0.10
            THEN pg_catalog.now() - pg_catalog.make_interval(days => (random() * 60)::integer) END
FROM gen_membership AS m
JOIN gen_user AS u ON u.n = m.user_n
JOIN gen_team AS t ON t.n = m.team_n;

CREATE TEMP TABLE gen_user_team ON COMMIT DROP AS
SELECT m.user_n, (pg_catalog.row_number() OVER (PARTITION BY m.user_n ORDER BY m.team_n) - 1)::integer AS k,
       pg_catalog.count(*) OVER (PARTITION BY m.user_n) AS teams, t.id AS team_id
FROM gen_membership AS m JOIN gen_team AS t ON t.n = m.team_n;
ALTER TABLE gen_user_team ADD PRIMARY KEY (user_n, k);
ANALYZE gen_user, gen_team, gen_user_team;
