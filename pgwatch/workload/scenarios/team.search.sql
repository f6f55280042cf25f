-- Team search: public live teams matching the words, ranked by ts_rank, best 20.
-- category: search
SELECT t.id, t.name,
       ts_rank(to_tsvector('simple'::regconfig, t.name || ' ' || COALESCE(t.description, '')),
               q.query) AS rank
FROM public.teams AS t,
     plainto_tsquery('simple'::regconfig, %(search)s) AS q(query)
WHERE t.deleted_at IS NULL AND t.is_public
  AND to_tsvector('simple'::regconfig, t.name || ' ' || COALESCE(t.description, '')) @@ q.query
ORDER BY rank DESC, t.name
LIMIT 20
