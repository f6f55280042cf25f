-- pg_stat_statements 1.10 (PostgreSQL 15): time spent compiling for short statements.
SELECT COALESCE(sum(s.jit_generation_time + s.jit_inlining_time + s.jit_optimization_time
                    + s.jit_emission_time), 0)::float8 AS jit_ms,
       COALESCE(sum(s.total_exec_time), 0)::float8 AS exec_ms,
       count(*) AS statements
  FROM {pgss}(false) AS s
 WHERE s.jit_functions > 0 AND s.mean_exec_time < %(short_ms)s
