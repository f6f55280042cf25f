-- pg_stat_statements 1.10 (PostgreSQL 15): time spent compiling (JIT) by statements whose
-- execution without the compilation is short.
WITH s AS (
    SELECT p.calls, p.total_exec_time,
           p.jit_generation_time + p.jit_inlining_time + p.jit_optimization_time
               + p.jit_emission_time AS jit_time
      FROM {pgss}(false) AS p
     WHERE p.jit_functions > 0 AND p.calls > 0
)
SELECT COALESCE(sum(s.jit_time), 0)::float8 AS jit_ms,
       COALESCE(sum(s.total_exec_time), 0)::float8 AS exec_ms,
       count(*) AS statements
  FROM s
 WHERE (s.total_exec_time - s.jit_time) / s.calls < %(short_ms)s
