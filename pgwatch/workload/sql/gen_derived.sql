-- The rows the activity triggers maintain, rebuilt in one set-based pass by migration 0001's
-- own function, so the definitions (sums, streaks) are the triggers' ones.
SELECT public.rebuild_activity_stats();
