-- pg_stat_statements 1.9 (PostgreSQL 14) has no JIT counters: nothing to weigh.
SELECT 0::float8 AS jit_ms, 0::float8 AS exec_ms, 0::bigint AS statements
