SELECT coalesce(sum(pg_catalog.pg_total_relation_size(c.oid)), 0)
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relkind = 'r';
