-- Goals: every team had a goal over the last year's first 200 days (COMPLETED or CANCELLED),
-- 90 per cent have an ACTIVE goal covering the last 165 days, and some have a DRAFT for later.
-- The windows never overlap, so an activity belongs to at most one goal.
CREATE TEMP TABLE gen_goal ON COMMIT DROP AS
SELECT pg_catalog.gen_random_uuid() AS id, t.id AS team_id, t.creator_n, g.status, g.name,
       g.starts, g.ends
-- The "0 * t.n" makes each VALUES row depend on the team, so random() is drawn per team.
FROM gen_team AS t
CROSS JOIN LATERAL (VALUES
    (CASE WHEN random() + 0 * t.n < 0.85 THEN 'COMPLETED' ELSE 'CANCELLED' END, 'Spring challenge',
     pg_catalog.now() - interval '365 days', pg_catalog.now() - interval '165 days'),
    (CASE WHEN random() + 0 * t.n < 0.90 THEN 'ACTIVE' ELSE 'DRAFT' END, 'Road to the coast',
     pg_catalog.now() - interval '165 days', pg_catalog.now() + interval '30 days'),
    (CASE WHEN random() + 0 * t.n < 0.30 THEN 'DRAFT' END, 'Next adventure',
     pg_catalog.now() + interval '30 days', pg_catalog.now() + interval '120 days')
) AS g (status, name, starts, ends)
WHERE g.status IS NOT NULL;

INSERT INTO public.team_goals (id, team_id, name, description, target_distance, start_date,
                               end_date, target_date, status, route_data, created_by,
                               created_at, updated_at, completed_at)
SELECT g.id, g.team_id, g.name, 'Walk and run together',
       (50000 + random() * 950000)::numeric(14, 2), g.starts, g.ends, g.ends, g.status,
       pg_catalog.jsonb_build_object('waypoints', pg_catalog.jsonb_build_array(
           pg_catalog.jsonb_build_object('lat', 38.7, 'lng', -9.1),
           pg_catalog.jsonb_build_object('lat', 41.9, 'lng', 12.5))),
       u.id, g.starts - interval '7 days', g.starts,
       CASE WHEN g.status = 'COMPLETED' THEN g.ends END
FROM gen_goal AS g JOIN gen_user AS u ON u.n = g.creator_n;

-- Only goals that collect activities (not drafts) take part in the activity join.
DELETE FROM gen_goal WHERE status = 'DRAFT';
ANALYZE gen_goal;
