-- A hypothetical index, visible to this session's planner only (no DDL is run).
SELECT h.indexrelid::bigint AS oid, h.indexname::text AS name
  FROM {create}(%(definition)s) AS h
