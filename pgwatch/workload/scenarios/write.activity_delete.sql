-- A user deletes their latest activity ("undo"), firing the stats triggers.
-- category: write
DELETE FROM public.activities
WHERE id = (SELECT a.id FROM public.activities AS a
            WHERE a.user_id = %(user_id)s
            ORDER BY a.start_time DESC, a.id DESC
            LIMIT 1)
