-- A user edits an activity's notes only: no statistic depends on them.
-- category: write
UPDATE public.activities
SET notes = %(notes)s, updated_at = now()
WHERE id = %(activity_id)s
