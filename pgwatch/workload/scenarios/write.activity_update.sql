-- A user corrects an activity's distance and duration: a significant change for the stats.
-- category: write
UPDATE public.activities
SET distance = %(distance)s, duration = %(duration)s, updated_at = now()
WHERE id = %(activity_id)s
