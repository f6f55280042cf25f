-- The parameter types the server inferred for a statement prepared by this session.
SELECT p.parameter_types::text[] AS types
  FROM pg_catalog.pg_prepared_statements AS p
 WHERE p.name = %(name)s
