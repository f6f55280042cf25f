-- May this user open this activity: their own, or a public one of a team they are active in.
-- category: permission
SELECT a.id
FROM public.activities AS a
WHERE a.id = %(activity_id)s
  AND (a.user_id = %(user_id)s
       OR (a.is_private = false
           AND EXISTS (SELECT 1 FROM public.team_members AS m
                       WHERE m.team_id = a.team_id AND m.user_id = %(user_id)s
                         AND m.left_at IS NULL)))
