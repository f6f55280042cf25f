-- Mile Quest, the "before" state: tables, primary keys, unique constraints and foreign keys
-- only (no secondary index), and the naive triggers a first version would have, which
-- recompute team_progress and user_stats from scratch on every activity change.
-- Distances are numeric metres (exact sums), durations integer seconds.

CREATE TABLE public.users (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email       text NOT NULL UNIQUE,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz
);

CREATE TABLE public.teams (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL UNIQUE,
    description text,
    is_public   boolean NOT NULL DEFAULT true,
    created_by  uuid NOT NULL REFERENCES public.users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz
);

CREATE TABLE public.team_members (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id     uuid NOT NULL REFERENCES public.teams (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    role        text NOT NULL DEFAULT 'MEMBER' CHECK (role IN ('ADMIN', 'MEMBER')),
    joined_at   timestamptz NOT NULL DEFAULT now(),
    left_at     timestamptz,
    UNIQUE (team_id, user_id)
);

CREATE TABLE public.team_goals (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id         uuid NOT NULL REFERENCES public.teams (id) ON DELETE CASCADE,
    name            text NOT NULL,
    description     text,
    target_distance numeric(14, 2) NOT NULL CHECK (target_distance > 0),
    start_date      timestamptz NOT NULL,
    end_date        timestamptz,
    target_date     timestamptz,
    status          text NOT NULL DEFAULT 'DRAFT'
                    CHECK (status IN ('DRAFT', 'ACTIVE', 'COMPLETED', 'CANCELLED')),
    route_data      jsonb,
    created_by      uuid NOT NULL REFERENCES public.users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz
);

CREATE TABLE public.activities (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    team_id      uuid NOT NULL REFERENCES public.teams (id) ON DELETE CASCADE,
    team_goal_id uuid REFERENCES public.team_goals (id) ON DELETE SET NULL,
    distance     numeric(12, 2) NOT NULL CHECK (distance >= 0),
    duration     integer NOT NULL CHECK (duration >= 0),
    start_time   timestamptz NOT NULL,
    notes        text,
    source       text NOT NULL DEFAULT 'MANUAL'
                 CHECK (source IN ('MANUAL', 'STRAVA', 'APPLE_HEALTH', 'GOOGLE_FIT')),
    external_id  text,
    is_private   boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, external_id)
);

CREATE TABLE public.team_progress (
    team_goal_id     uuid PRIMARY KEY REFERENCES public.team_goals (id) ON DELETE CASCADE,
    total_distance   numeric(16, 2) NOT NULL DEFAULT 0,
    total_activities integer NOT NULL DEFAULT 0,
    total_duration   bigint NOT NULL DEFAULT 0,
    last_activity_at timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.user_stats (
    user_id          uuid PRIMARY KEY REFERENCES public.users (id) ON DELETE CASCADE,
    total_distance   numeric(16, 2) NOT NULL DEFAULT 0,
    total_activities integer NOT NULL DEFAULT 0,
    total_duration   bigint NOT NULL DEFAULT 0,
    current_streak   integer NOT NULL DEFAULT 0,
    longest_streak   integer NOT NULL DEFAULT 0,
    last_activity_at timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.team_invites (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id     uuid NOT NULL REFERENCES public.teams (id) ON DELETE CASCADE,
    email       text NOT NULL,
    invited_by  uuid NOT NULL REFERENCES public.users (id),
    token       text NOT NULL UNIQUE,
    status      text NOT NULL DEFAULT 'PENDING'
                CHECK (status IN ('PENDING', 'ACCEPTED', 'DECLINED', 'EXPIRED')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    UNIQUE (team_id, email)
);

CREATE TABLE public.achievements (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    key         text NOT NULL UNIQUE,
    name        text NOT NULL,
    description text,
    category    text NOT NULL,
    criteria    jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.user_achievements (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    achievement_id uuid NOT NULL REFERENCES public.achievements (id) ON DELETE CASCADE,
    earned_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, achievement_id)
);

-- Streaks count consecutive UTC days with an activity; the current streak is the run that
-- ends on the user's last active day, so the value does not depend on when it is read.
CREATE FUNCTION public.user_streaks(p_user_id uuid,
                                    OUT current_streak integer, OUT longest_streak integer)
LANGUAGE sql STABLE AS $$
    WITH days AS (
        SELECT DISTINCT (a.start_time AT TIME ZONE 'UTC')::date AS day
        FROM public.activities AS a
        WHERE a.user_id = p_user_id
    ), runs AS (
        SELECT day, day - (row_number() OVER (ORDER BY day))::integer AS run_id FROM days
    ), lengths AS (
        SELECT count(*)::integer AS len, max(day) AS last_day FROM runs GROUP BY run_id
    )
    SELECT COALESCE((SELECT len FROM lengths ORDER BY last_day DESC LIMIT 1), 0),
           COALESCE((SELECT max(len) FROM lengths), 0)
$$;

-- The row is locked before the sums are read, so that under READ COMMITTED the sum (taken
-- by a later statement, hence a later snapshot) sees every concurrent writer that committed.
CREATE FUNCTION public.recalculate_team_progress(p_goal_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.team_progress (team_goal_id) VALUES (p_goal_id) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM public.team_progress WHERE team_goal_id = p_goal_id FOR UPDATE;
    UPDATE public.team_progress AS p
    SET total_distance = s.total_distance, total_activities = s.total_activities,
        total_duration = s.total_duration, last_activity_at = s.last_activity_at,
        updated_at = now()
    FROM (SELECT COALESCE(sum(a.distance), 0) AS total_distance,
                 count(*)::integer AS total_activities,
                 COALESCE(sum(a.duration), 0)::bigint AS total_duration,
                 max(a.start_time) AS last_activity_at
          FROM public.activities AS a WHERE a.team_goal_id = p_goal_id) AS s
    WHERE p.team_goal_id = p_goal_id;
END
$$;

CREATE FUNCTION public.recalculate_user_stats(p_user_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.user_stats (user_id) VALUES (p_user_id) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM public.user_stats WHERE user_id = p_user_id FOR UPDATE;
    UPDATE public.user_stats AS u
    SET total_distance = s.total_distance, total_activities = s.total_activities,
        total_duration = s.total_duration, last_activity_at = s.last_activity_at,
        current_streak = k.current_streak, longest_streak = k.longest_streak,
        updated_at = now()
    FROM (SELECT COALESCE(sum(a.distance), 0) AS total_distance,
                 count(*)::integer AS total_activities,
                 COALESCE(sum(a.duration), 0)::bigint AS total_duration,
                 max(a.start_time) AS last_activity_at
          FROM public.activities AS a WHERE a.user_id = p_user_id) AS s,
         public.user_streaks(p_user_id) AS k
    WHERE u.user_id = p_user_id;
END
$$;

-- Set-based rebuild of team_progress and user_stats, for after a bulk load made with the
-- triggers disabled (or session_replication_role = replica): one pass over activities.
CREATE FUNCTION public.rebuild_activity_stats() RETURNS void
LANGUAGE sql AS $$
    INSERT INTO public.team_progress AS p
        (team_goal_id, total_distance, total_activities, total_duration, last_activity_at)
    SELECT g.id, COALESCE(sum(a.distance), 0), count(a.id)::integer,
           COALESCE(sum(a.duration), 0)::bigint, max(a.start_time)
    FROM public.team_goals AS g
    LEFT JOIN public.activities AS a ON a.team_goal_id = g.id
    GROUP BY g.id
    ON CONFLICT (team_goal_id) DO UPDATE
    SET total_distance = EXCLUDED.total_distance, total_activities = EXCLUDED.total_activities,
        total_duration = EXCLUDED.total_duration, last_activity_at = EXCLUDED.last_activity_at,
        updated_at = now();

    WITH totals AS (
        SELECT a.user_id, sum(a.distance) AS total_distance, count(*)::integer AS total_activities,
               sum(a.duration)::bigint AS total_duration, max(a.start_time) AS last_activity_at
        FROM public.activities AS a GROUP BY a.user_id
    ), days AS (
        SELECT DISTINCT a.user_id, (a.start_time AT TIME ZONE 'UTC')::date AS day
        FROM public.activities AS a
    ), runs AS (
        SELECT user_id, day,
               day - (row_number() OVER (PARTITION BY user_id ORDER BY day))::integer AS run_id
        FROM days
    ), lengths AS (
        SELECT user_id, count(*)::integer AS len, max(day) AS last_day
        FROM runs GROUP BY user_id, run_id
    ), streaks AS (
        SELECT user_id, max(len) AS longest_streak,
               (array_agg(len ORDER BY last_day DESC))[1] AS current_streak
        FROM lengths GROUP BY user_id
    )
    INSERT INTO public.user_stats AS u
        (user_id, total_distance, total_activities, total_duration, current_streak,
         longest_streak, last_activity_at)
    SELECT usr.id, COALESCE(t.total_distance, 0), COALESCE(t.total_activities, 0),
           COALESCE(t.total_duration, 0), COALESCE(s.current_streak, 0),
           COALESCE(s.longest_streak, 0), t.last_activity_at
    FROM public.users AS usr
    LEFT JOIN totals AS t ON t.user_id = usr.id
    LEFT JOIN streaks AS s ON s.user_id = usr.id
    ON CONFLICT (user_id) DO UPDATE
    SET total_distance = EXCLUDED.total_distance, total_activities = EXCLUDED.total_activities,
        total_duration = EXCLUDED.total_duration, current_streak = EXCLUDED.current_streak,
        longest_streak = EXCLUDED.longest_streak, last_activity_at = EXCLUDED.last_activity_at,
        updated_at = now();
$$;

-- Goal before user, always: two writers then take the row locks in one order.
CREATE FUNCTION public.activities_recalculate_stats() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.team_goal_id IS NOT NULL THEN
        PERFORM public.recalculate_team_progress(OLD.team_goal_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.team_goal_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.team_goal_id IS DISTINCT FROM OLD.team_goal_id) THEN
        PERFORM public.recalculate_team_progress(NEW.team_goal_id);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM public.recalculate_user_stats(OLD.user_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.user_id IS DISTINCT FROM OLD.user_id) THEN
        PERFORM public.recalculate_user_stats(NEW.user_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER activities_recalculate_stats
    AFTER INSERT OR UPDATE OR DELETE ON public.activities
    FOR EACH ROW EXECUTE FUNCTION public.activities_recalculate_stats();
