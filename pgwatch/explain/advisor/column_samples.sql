-- Values the planner's statistics hold for some columns: the most common value and the middle
-- histogram bound (as text; the prepared statement's parameter type reads them back).
SELECT w.schema, w.tbl AS table, w.col AS column,
       (s.most_common_vals::text::text[])[1] AS common,
       (s.histogram_bounds::text::text[])[
           GREATEST(1, pg_catalog.cardinality(s.histogram_bounds::text::text[]) / 2)] AS middle
  FROM ROWS FROM (pg_catalog.unnest(%(schemas)s::text[]), pg_catalog.unnest(%(tables)s::text[]),
                 pg_catalog.unnest(%(columns)s::text[])) AS w(schema, tbl, col)
  JOIN pg_catalog.pg_stats AS s
    ON s.schemaname = w.schema AND s.tablename = w.tbl AND s.attname = w.col
