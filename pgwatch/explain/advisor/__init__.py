"""The advisor: index, statistics and configuration advice from what the server reports.

It reads pg_stat_statements, the catalogs and the statistics views, plans statements with
EXPLAIN (never ANALYZE), tries indexes as hypothetical ones when hypopg is installed, and
returns recommendations with the exact SQL. It never runs the DDL it suggests.
"""
