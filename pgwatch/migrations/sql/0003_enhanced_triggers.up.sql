-- Enhanced triggers and materialized views: incremental maintenance of team_progress and
-- user_stats that fires only when a significant field changes, five materialized views
-- refreshed concurrently on demand, debounced refresh requests, NOTIFY channels, and sampled
-- trigger timing. The materialized views are built in steps of their own; the switch from the
-- naive triggers to the new ones is one short transaction at the end.

-- pgwatch:step
CREATE TABLE public.mv_refresh_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    view_name    text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('CONCURRENT', 'FULL')),
    requested_at timestamptz,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz NOT NULL,
    duration_ms  double precision NOT NULL,
    success      boolean NOT NULL,
    error        text
);
CREATE INDEX idx_mv_refresh_log_view_started
    ON public.mv_refresh_log (view_name, started_at DESC);

CREATE TABLE public.trigger_performance_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trigger_name text NOT NULL,
    table_name   text NOT NULL,
    operation    text NOT NULL,
    duration_ms  double precision NOT NULL,
    slow         boolean NOT NULL,
    logged_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX idx_trigger_performance_log_logged
    ON public.trigger_performance_log (logged_at);

-- One row per view with a pending request: a burst of writes leaves one row, not one per
-- write, and the refresh runs once for the burst.
CREATE TABLE public.mv_refresh_queue (
    view_name    text PRIMARY KEY,
    requested_at timestamptz NOT NULL DEFAULT now()
);

-- pgwatch:step
CREATE MATERIALIZED VIEW public.mv_user_activity_stats AS
SELECT u.id AS user_id,
       COALESCE(sum(a.distance), 0) AS total_distance,
       count(a.id)::integer AS total_activities,
       COALESCE(sum(a.duration), 0)::bigint AS total_duration,
       COALESCE(sum(a.distance) FILTER (WHERE a.start_time >= now() - interval '7 days'), 0)
           AS distance_7d,
       COALESCE(sum(a.distance) FILTER (WHERE a.start_time >= now() - interval '30 days'), 0)
           AS distance_30d,
       max(a.start_time) AS last_activity_at
FROM public.users AS u
LEFT JOIN public.activities AS a ON a.user_id = u.id
WHERE u.deleted_at IS NULL
GROUP BY u.id;
CREATE UNIQUE INDEX mv_user_activity_stats_user_id ON public.mv_user_activity_stats (user_id);

-- pgwatch:step
CREATE MATERIALIZED VIEW public.mv_team_activity_stats AS
SELECT t.id AS team_id, t.name, t.is_public,
       (SELECT count(*) FROM public.team_members AS m
        WHERE m.team_id = t.id AND m.left_at IS NULL)::integer AS member_count,
       COALESCE(s.total_distance, 0) AS total_distance,
       COALESCE(s.total_activities, 0) AS total_activities,
       COALESCE(s.total_duration, 0) AS total_duration,
       COALESCE(s.active_members_7d, 0) AS active_members_7d,
       s.last_activity_at
FROM public.teams AS t
LEFT JOIN (
    SELECT a.team_id, sum(a.distance) AS total_distance, count(*)::integer AS total_activities,
           sum(a.duration)::bigint AS total_duration,
           count(DISTINCT a.user_id) FILTER (WHERE a.start_time >= now() - interval '7 days')
               ::integer AS active_members_7d,
           max(a.start_time) AS last_activity_at
    FROM public.activities AS a
    GROUP BY a.team_id
) AS s ON s.team_id = t.id
WHERE t.deleted_at IS NULL;
CREATE UNIQUE INDEX mv_team_activity_stats_team_id ON public.mv_team_activity_stats (team_id);

-- pgwatch:step
-- Private activities never appear on a leaderboard.
CREATE MATERIALIZED VIEW public.mv_team_member_leaderboard AS
SELECT m.team_id, m.user_id, u.name AS user_name,
       COALESCE(s.total_distance, 0) AS total_distance,
       COALESCE(s.total_activities, 0) AS total_activities,
       COALESCE(s.distance_7d, 0) AS distance_7d,
       rank() OVER (PARTITION BY m.team_id ORDER BY COALESCE(s.total_distance, 0) DESC)
           AS team_rank
FROM public.team_members AS m
JOIN public.users AS u ON u.id = m.user_id AND u.deleted_at IS NULL
LEFT JOIN (
    SELECT a.team_id, a.user_id, sum(a.distance) AS total_distance,
           count(*)::integer AS total_activities,
           sum(a.distance) FILTER (WHERE a.start_time >= now() - interval '7 days')
               AS distance_7d
    FROM public.activities AS a
    WHERE a.is_private = false
    GROUP BY a.team_id, a.user_id
) AS s ON s.team_id = m.team_id AND s.user_id = m.user_id
WHERE m.left_at IS NULL;
CREATE UNIQUE INDEX mv_team_member_leaderboard_team_user
    ON public.mv_team_member_leaderboard (team_id, user_id);
CREATE INDEX mv_team_member_leaderboard_team_rank
    ON public.mv_team_member_leaderboard (team_id, team_rank);

-- pgwatch:step
-- Every global leaderboard, precomputed at refresh time (so as current as the last refresh).
-- The all-time rank and percentile are among live users. The period columns answer the
-- same questions as the live leaderboard queries, which rank every user with a public
-- activity in the period (soft-deleted users included): last complete UTC week (distance,
-- activities, rank, and the rank in the week before it) and current UTC month (distance,
-- activities, rank, the share of the month's ranked users with less distance, and their
-- number). A period column is NULL for a user without a public activity in the period.
CREATE MATERIALIZED VIEW public.mv_global_leaderboard AS
WITH periods AS (
    SELECT public.utc_week_start(now()) - 7 AS last_week,
           public.utc_week_start(now()) - 14 AS week_before,
           public.utc_month_start(now()) AS month
), totals AS (
    SELECT a.user_id, sum(a.distance) AS total_distance,
           sum(a.distance) FILTER (WHERE public.utc_week_start(a.start_time) = p.last_week)
               AS last_week_distance,
           count(*) FILTER (WHERE public.utc_week_start(a.start_time) = p.last_week)
               AS last_week_activities,
           sum(a.distance) FILTER (WHERE public.utc_week_start(a.start_time) = p.week_before)
               AS week_before_distance,
           sum(a.distance) FILTER (WHERE public.utc_month_start(a.start_time) = p.month)
               AS month_distance,
           count(*) FILTER (WHERE public.utc_month_start(a.start_time) = p.month)
               AS month_activities
    FROM public.activities AS a
    CROSS JOIN periods AS p
    WHERE a.is_private = false
    GROUP BY a.user_id
)
SELECT u.id AS user_id, u.name AS user_name, s.total_distance,
       CASE WHEN u.deleted_at IS NULL THEN rank() OVER (
           PARTITION BY u.deleted_at IS NULL ORDER BY s.total_distance DESC) END
           AS rank_all_time,
       CASE WHEN u.deleted_at IS NULL THEN percent_rank() OVER (
           PARTITION BY u.deleted_at IS NULL ORDER BY s.total_distance) END
           AS percentile,
       s.last_week_distance,
       NULLIF(s.last_week_activities, 0) AS last_week_activities,
       CASE WHEN s.last_week_distance IS NOT NULL THEN rank() OVER (
           ORDER BY s.last_week_distance DESC NULLS LAST) END AS rank_last_week,
       CASE WHEN s.week_before_distance IS NOT NULL THEN rank() OVER (
           ORDER BY s.week_before_distance DESC NULLS LAST) END AS rank_week_before,
       s.month_distance,
       NULLIF(s.month_activities, 0) AS month_activities,
       CASE WHEN s.month_distance IS NOT NULL THEN rank() OVER (
           ORDER BY s.month_distance DESC NULLS LAST) END AS rank_month,
       CASE WHEN s.month_distance IS NOT NULL THEN (rank() OVER (
           PARTITION BY s.month_distance IS NULL ORDER BY s.month_distance) - 1)::float8
           / count(*) OVER (PARTITION BY s.month_distance IS NULL) END AS month_percentile,
       count(s.month_distance) OVER () AS month_ranked_users
FROM public.users AS u
JOIN totals AS s ON s.user_id = u.id;
CREATE UNIQUE INDEX mv_global_leaderboard_user_id ON public.mv_global_leaderboard (user_id);
-- One per leaderboard read (ORDER BY rank LIMIT n): an index scan of n rows, never a sort.
CREATE INDEX mv_global_leaderboard_rank_last_week
    ON public.mv_global_leaderboard (rank_last_week) WHERE rank_last_week IS NOT NULL;
CREATE INDEX mv_global_leaderboard_rank_month
    ON public.mv_global_leaderboard (rank_month) WHERE rank_month IS NOT NULL;

-- pgwatch:step
CREATE MATERIALIZED VIEW public.mv_team_goal_progress AS
SELECT g.id AS team_goal_id, g.team_id, g.name, g.status, g.target_distance,
       g.start_date, g.end_date,
       COALESCE(s.total_distance, 0) AS total_distance,
       COALESCE(s.total_activities, 0) AS total_activities,
       COALESCE(s.contributors, 0) AS contributors,
       s.last_activity_at,
       round(100 * COALESCE(s.total_distance, 0) / g.target_distance, 2) AS percent_complete
FROM public.team_goals AS g
LEFT JOIN (
    SELECT a.team_goal_id, sum(a.distance) AS total_distance,
           count(*)::integer AS total_activities,
           count(DISTINCT a.user_id)::integer AS contributors,
           max(a.start_time) AS last_activity_at
    FROM public.activities AS a
    WHERE a.team_goal_id IS NOT NULL
    GROUP BY a.team_goal_id
) AS s ON s.team_goal_id = g.id;
CREATE UNIQUE INDEX mv_team_goal_progress_goal_id
    ON public.mv_team_goal_progress (team_goal_id);

-- pgwatch:step
-- Request a refresh of the named views; never waits. A committed pending request (the
-- usual case in a burst of writes) is found by a read and nothing is written. Otherwise the
-- request is inserted under a transaction-level advisory lock per view: when another
-- transaction holds that lock it is inserting the same request right now, and waiting for it
-- would only add a lock that transactions touching several tables can take in opposite
-- orders (a deadlock). The cost: a request can be lost if that other transaction rolls back;
-- the next write requests it again.
CREATE FUNCTION public.request_mv_refresh(p_views text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    view_name_ text;
BEGIN
    FOR view_name_ IN SELECT DISTINCT v FROM unnest(p_views) AS v ORDER BY v LOOP
        CONTINUE WHEN EXISTS (SELECT 1 FROM public.mv_refresh_queue AS q
                              WHERE q.view_name = view_name_);
        CONTINUE WHEN NOT pg_try_advisory_xact_lock(hashtext('public.mv_refresh_queue'),
                                                    hashtext(view_name_));
        INSERT INTO public.mv_refresh_queue (view_name) VALUES (view_name_)
        ON CONFLICT (view_name) DO NOTHING;
    END LOOP;
END
$$;

-- Statement trigger: queue the views named in the trigger arguments, and tell caches.
CREATE FUNCTION public.queue_mv_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.request_mv_refresh(TG_ARGV);
    PERFORM pg_notify('mile_quest_cache_invalidation',
                      json_build_object('table', TG_TABLE_NAME, 'op', TG_OP)::text);
    RETURN NULL;
END
$$;

-- An UPDATE queues a refresh only when a field the views read changed in some row.
CREATE FUNCTION public.queue_mv_refresh_on_activity_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
               WHERE (o.distance, o.duration, o.start_time, o.user_id, o.team_id,
                      o.team_goal_id, o.is_private)
                     IS DISTINCT FROM
                     (n.distance, n.duration, n.start_time, n.user_id, n.team_id,
                      n.team_goal_id, n.is_private)) THEN
        PERFORM public.request_mv_refresh(TG_ARGV);
        PERFORM pg_notify('mile_quest_cache_invalidation',
                          json_build_object('table', TG_TABLE_NAME, 'op', TG_OP)::text);
    END IF;
    RETURN NULL;
END
$$;

-- Refresh the views whose request is at least p_min_age old (the debounce window),
-- concurrently so readers are never blocked, and log each refresh with its duration and
-- outcome. A procedure, so that it commits after taking each request off the queue: a
-- writer queueing the same view meanwhile would otherwise wait for the whole refresh.
-- Call it outside a transaction block: CALL public.refresh_due_materialized_views().
CREATE PROCEDURE public.refresh_due_materialized_views(
    p_min_age interval DEFAULT interval '30 seconds', p_max_views integer DEFAULT 5,
    INOUT refreshed integer DEFAULT 0)
LANGUAGE plpgsql AS $$
DECLARE
    due_view text;
    due_requested timestamptz;
    started timestamptz;
    refresh_kind text;
    failure text;
BEGIN
    refreshed := 0;
    FOR attempt IN 1 .. p_max_views LOOP
        DELETE FROM public.mv_refresh_queue AS q
        WHERE q.view_name = (SELECT r.view_name FROM public.mv_refresh_queue AS r
                             WHERE r.requested_at <= now() - p_min_age
                             ORDER BY r.requested_at, r.view_name LIMIT 1
                             FOR UPDATE SKIP LOCKED)
        RETURNING q.view_name, q.requested_at INTO due_view, due_requested;
        EXIT WHEN due_view IS NULL;
        COMMIT;
        started := clock_timestamp();
        refresh_kind := CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_matviews AS v
                                          WHERE v.schemaname = 'public'
                                            AND v.matviewname = due_view AND v.ispopulated)
                             THEN 'CONCURRENT' ELSE 'FULL' END;
        failure := NULL;
        BEGIN
            IF refresh_kind = 'CONCURRENT' THEN
                EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY public.%I', due_view);
            ELSE
                EXECUTE format('REFRESH MATERIALIZED VIEW public.%I', due_view);
            END IF;
        EXCEPTION WHEN OTHERS THEN
            failure := SQLERRM;
        END;
        INSERT INTO public.mv_refresh_log (view_name, kind, requested_at, started_at,
                                           finished_at, duration_ms, success, error)
        VALUES (due_view, refresh_kind, due_requested, started, clock_timestamp(),
                1000 * extract(epoch FROM clock_timestamp() - started), failure IS NULL,
                failure);
        IF failure IS NULL THEN
            refreshed := refreshed + 1;
        ELSE
            PERFORM pg_notify('mile_quest_mv_refresh_failed',
                              json_build_object('view', due_view, 'error', failure)::text);
        END IF;
        COMMIT;
        due_view := NULL;
    END LOOP;
END
$$;

-- Incremental maintenance: add the new row's values, subtract the old row's. Only a removed
-- or moved latest activity, or an activity dated before the last one, needs a lookup
-- (an index range scan of one user or goal). Goal rows are locked before user rows, always.
CREATE FUNCTION public.activities_maintain_stats() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    began timestamptz := clock_timestamp();
    elapsed_ms double precision;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.team_goal_id IS NOT NULL THEN
        PERFORM public.team_progress_subtract(OLD);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.team_goal_id IS NOT NULL THEN
        PERFORM public.team_progress_add(NEW);
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM public.user_stats_add(NEW);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM public.user_stats_subtract(OLD, true);
    ELSE
        PERFORM public.user_stats_change(OLD, NEW);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.team_goal_id IS NOT NULL THEN
        PERFORM pg_notify('mile_quest_realtime', json_build_object(
            'op', TG_OP, 'team_goal_id', NEW.team_goal_id, 'user_id', NEW.user_id)::text);
    END IF;
    elapsed_ms := 1000 * extract(epoch FROM clock_timestamp() - began);
    PERFORM public.log_trigger_timing(TG_NAME, TG_TABLE_NAME, TG_OP, elapsed_ms);
    RETURN NULL;
END
$$;

CREATE FUNCTION public.team_progress_add(a public.activities) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO public.team_progress AS p
        (team_goal_id, total_distance, total_activities, total_duration, last_activity_at)
    VALUES (a.team_goal_id, a.distance, 1, a.duration, a.start_time)
    ON CONFLICT (team_goal_id) DO UPDATE
    SET total_distance = p.total_distance + EXCLUDED.total_distance,
        total_activities = p.total_activities + 1,
        total_duration = p.total_duration + EXCLUDED.total_duration,
        last_activity_at = GREATEST(p.last_activity_at, EXCLUDED.last_activity_at),
        updated_at = now();
$$;

CREATE FUNCTION public.team_progress_subtract(a public.activities) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    latest timestamptz;
BEGIN
    UPDATE public.team_progress AS p
    SET total_distance = p.total_distance - a.distance,
        total_activities = p.total_activities - 1,
        total_duration = p.total_duration - a.duration,
        updated_at = now()
    WHERE p.team_goal_id = a.team_goal_id
    RETURNING p.last_activity_at INTO latest;
    IF latest IS NOT NULL AND a.start_time >= latest THEN
        UPDATE public.team_progress AS p
        SET last_activity_at = (SELECT max(x.start_time) FROM public.activities AS x
                                WHERE x.team_goal_id = a.team_goal_id)
        WHERE p.team_goal_id = a.team_goal_id;
    END IF;
END
$$;

-- Streaks: an activity on the day after the last active day extends the current run, a later
-- day starts a new one, the same day changes nothing; an earlier day is a backfill and the
-- streaks are recomputed for that user.
CREATE FUNCTION public.user_stats_add(a public.activities) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    stats public.user_stats;
    new_day date := (a.start_time AT TIME ZONE 'UTC')::date;
    last_day date;
    streak integer;
BEGIN
    INSERT INTO public.user_stats (user_id) VALUES (a.user_id) ON CONFLICT DO NOTHING;
    SELECT * INTO stats FROM public.user_stats WHERE user_id = a.user_id FOR UPDATE;
    last_day := (stats.last_activity_at AT TIME ZONE 'UTC')::date;
    streak := CASE WHEN last_day IS NULL OR new_day > last_day + 1 THEN 1
                   WHEN new_day = last_day + 1 THEN stats.current_streak + 1
                   ELSE stats.current_streak END;
    UPDATE public.user_stats AS u
    SET total_distance = u.total_distance + a.distance,
        total_activities = u.total_activities + 1,
        total_duration = u.total_duration + a.duration,
        last_activity_at = GREATEST(u.last_activity_at, a.start_time),
        current_streak = streak,
        longest_streak = GREATEST(u.longest_streak, streak),
        updated_at = now()
    WHERE u.user_id = a.user_id;
    IF new_day < last_day THEN
        PERFORM public.user_stats_restreak(a.user_id);
    END IF;
END
$$;

CREATE FUNCTION public.user_stats_subtract(a public.activities, restreak boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE public.user_stats AS u
    SET total_distance = u.total_distance - a.distance,
        total_activities = u.total_activities - 1,
        total_duration = u.total_duration - a.duration,
        updated_at = now()
    WHERE u.user_id = a.user_id;
    IF restreak THEN
        PERFORM public.user_stats_restreak(a.user_id);
    END IF;
END
$$;

CREATE FUNCTION public.user_stats_change(old_row public.activities, new_row public.activities)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF old_row.user_id IS DISTINCT FROM new_row.user_id
       OR old_row.start_time IS DISTINCT FROM new_row.start_time THEN
        PERFORM public.user_stats_subtract(old_row, true);
        PERFORM public.user_stats_add(new_row);
    ELSE
        UPDATE public.user_stats AS u
        SET total_distance = u.total_distance - old_row.distance + new_row.distance,
            total_duration = u.total_duration - old_row.duration + new_row.duration,
            updated_at = now()
        WHERE u.user_id = new_row.user_id;
    END IF;
END
$$;

CREATE FUNCTION public.user_stats_restreak(p_user_id uuid) RETURNS void
LANGUAGE sql AS $$
    UPDATE public.user_stats AS u
    SET current_streak = k.current_streak, longest_streak = k.longest_streak,
        last_activity_at = (SELECT max(x.start_time) FROM public.activities AS x
                            WHERE x.user_id = p_user_id)
    FROM public.user_streaks(p_user_id) AS k
    WHERE u.user_id = p_user_id;
$$;

-- Timing is written for a random sample of calls (mile_quest.trigger_sample_rate, default
-- 1 %) and for every slow call (mile_quest.slow_trigger_ms, default 50 ms), which is also
-- announced on the mile_quest_slow_trigger channel: logging stays a small share of the cost.
CREATE FUNCTION public.log_trigger_timing(p_trigger text, p_table text, p_operation text,
                                          p_duration_ms double precision) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    slow boolean := p_duration_ms >= COALESCE(
        NULLIF(current_setting('mile_quest.slow_trigger_ms', true), '')::double precision, 50);
BEGIN
    IF slow OR random() < COALESCE(
        NULLIF(current_setting('mile_quest.trigger_sample_rate', true), '')::double precision,
        0.01) THEN
        INSERT INTO public.trigger_performance_log
            (trigger_name, table_name, operation, duration_ms, slow)
        VALUES (p_trigger, p_table, p_operation, p_duration_ms, slow);
    END IF;
    IF slow THEN
        PERFORM pg_notify('mile_quest_slow_trigger', json_build_object(
            'trigger', p_trigger, 'table', p_table, 'op', p_operation,
            'duration_ms', round(p_duration_ms::numeric, 3))::text);
    END IF;
END
$$;

-- pgwatch:step
-- The switch: one short transaction, so team_progress and user_stats are maintained by
-- exactly one set of triggers at every moment. Its locks wait at most lock_timeout and the
-- runner retries, so writers queue behind it only briefly. DROP TRIGGER takes ACCESS EXCLUSIVE
-- on activities first, the table writers lock first, and only then the tables its foreign
-- keys point at: the order writers take, so the two never wait for each other in a cycle.
DROP TRIGGER activities_recalculate_stats ON public.activities;

CREATE TRIGGER activities_stats_insert
    AFTER INSERT ON public.activities
    FOR EACH ROW EXECUTE FUNCTION public.activities_maintain_stats();

CREATE TRIGGER activities_stats_update
    AFTER UPDATE ON public.activities
    FOR EACH ROW
    WHEN (OLD.distance IS DISTINCT FROM NEW.distance
          OR OLD.duration IS DISTINCT FROM NEW.duration
          OR OLD.start_time IS DISTINCT FROM NEW.start_time
          OR OLD.user_id IS DISTINCT FROM NEW.user_id
          OR OLD.team_goal_id IS DISTINCT FROM NEW.team_goal_id)
    EXECUTE FUNCTION public.activities_maintain_stats();

CREATE TRIGGER activities_stats_delete
    AFTER DELETE ON public.activities
    FOR EACH ROW EXECUTE FUNCTION public.activities_maintain_stats();

CREATE TRIGGER activities_queue_refresh
    AFTER INSERT OR DELETE ON public.activities
    FOR EACH STATEMENT EXECUTE FUNCTION public.queue_mv_refresh(
        'mv_user_activity_stats', 'mv_team_activity_stats', 'mv_team_member_leaderboard',
        'mv_global_leaderboard', 'mv_team_goal_progress');

CREATE TRIGGER activities_queue_refresh_update
    AFTER UPDATE ON public.activities
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION public.queue_mv_refresh_on_activity_update(
        'mv_user_activity_stats', 'mv_team_activity_stats', 'mv_team_member_leaderboard',
        'mv_global_leaderboard', 'mv_team_goal_progress');

CREATE TRIGGER team_members_queue_refresh
    AFTER INSERT OR UPDATE OR DELETE ON public.team_members
    FOR EACH STATEMENT EXECUTE FUNCTION public.queue_mv_refresh(
        'mv_team_activity_stats', 'mv_team_member_leaderboard');

CREATE TRIGGER team_goals_queue_refresh
    AFTER INSERT OR UPDATE OR DELETE ON public.team_goals
    FOR EACH STATEMENT EXECUTE FUNCTION public.queue_mv_refresh('mv_team_goal_progress');

CREATE TRIGGER teams_queue_refresh
    AFTER INSERT OR UPDATE OR DELETE ON public.teams
    FOR EACH STATEMENT EXECUTE FUNCTION public.queue_mv_refresh('mv_team_activity_stats');

CREATE TRIGGER users_queue_refresh
    AFTER INSERT OR UPDATE OR DELETE ON public.users
    FOR EACH STATEMENT EXECUTE FUNCTION public.queue_mv_refresh(
        'mv_user_activity_stats', 'mv_team_member_leaderboard', 'mv_global_leaderboard');
