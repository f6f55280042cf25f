-- Discover: the 20 newest public live teams with their active member counts.
-- category: search
SELECT t.id, t.name, t.description, t.created_at,
       (SELECT count(*) FROM public.team_members AS m
        WHERE m.team_id = t.id AND m.left_at IS NULL) AS members
FROM public.teams AS t
WHERE t.deleted_at IS NULL AND t.is_public
ORDER BY t.created_at DESC
LIMIT 20
