"""The six dashboards pgwatch ships, as data. Every query filters on ``target=~"$target"``;
per-database metrics on ``datname=~"$datname"`` too."""

from __future__ import annotations

from pgwatch.grafana.model import Dashboard, Panel, Query

T = 'target=~"$target"'
# Per-database metrics: on a target that discovers databases they carry datname, and the
# dashboards that show them have a datname variable (All matches targets without it too).
D = 'target=~"$target", datname=~"$datname"'
R = "$__rate_interval"
# An age that exists only while something is open (a transaction, a queued request) reads 0
# when nothing is: the panel shows a flat healthy line instead of "No data".
ZERO = f"or on (target) (max by (target) (pgwatch_up{{{T}}}) * 0)"


def _p(title: str, description: str, unit: str, *queries: Query, kind: str = "timeseries",
       rare: str = "") -> Panel:
    return Panel(title, description, unit, tuple(queries), kind, rare)


def _q(expr: str, legend: str = "", instant: bool = False) -> Query:
    return Query(expr, legend, instant)


OVERVIEW = Dashboard("pgwatch-overview", "PostgreSQL overview",
                     "Is every target up and healthy: throughput, cache, connections, errors.", (
    _p("Targets up", "1 when pgwatch reached the target at its last attempt.", "short",
       _q(f"pgwatch_up{{{T}}}", "{{target}}", True), kind="stat"),
    _p("Connection usage", "Client connections as a share of max_connections.", "percentunit",
       _q(f"max by (target) (pgwatch_connections_usage_ratio{{{T}}})", "{{target}}", True),
       kind="stat"),
    _p("Database size", "Size of all databases (pg_database_size, on a slow interval).",
       "bytes", _q(f"sum by (target) (pgwatch_database_size_size_bytes{{{T}}})", "{{target}}",
                   True), kind="stat"),
    _p("Oldest transaction", "Age of the oldest open transaction: it holds back vacuum.", "s",
       _q(f"max by (target) (pgwatch_activity_oldest_xact_seconds{{{T}}}) {ZERO}", "{{target}}",
          True), kind="stat"),
    _p("Transactions per second", "Commits and rollbacks per second, all databases.", "ops",
       _q(f"sum by (target) (rate(pgwatch_database_xact_commit_total{{{T}}}[{R}]))",
          "{{target}} commits"),
       _q(f"sum by (target) (rate(pgwatch_database_xact_rollback_total{{{T}}}[{R}]))",
          "{{target}} rollbacks")),
    _p("Cache hit ratio", "Share of block reads served from shared buffers.", "percentunit",
       _q(f"sum by (target) (rate(pgwatch_database_blocks_hit_total{{{T}}}[{R}])) / "
          f"clamp_min(sum by (target) (rate(pgwatch_database_blocks_hit_total{{{T}}}[{R}]) + "
          f"rate(pgwatch_database_blocks_read_total{{{T}}}[{R}])), 1)", "{{target}}")),
    _p("Rows written per second", "Rows inserted, updated and deleted per second.", "ops",
       _q(f"sum by (target) (rate(pgwatch_database_tuples_inserted_total{{{T}}}[{R}]))",
          "{{target}} inserted"),
       _q(f"sum by (target) (rate(pgwatch_database_tuples_updated_total{{{T}}}[{R}]))",
          "{{target}} updated"),
       _q(f"sum by (target) (rate(pgwatch_database_tuples_deleted_total{{{T}}}[{R}]))",
          "{{target}} deleted")),
    _p("Temporary files written", "Bytes spilled to temporary files: work_mem too small.",
       "Bps", _q(f"sum by (target) (rate(pgwatch_database_temp_bytes_total{{{T}}}[{R}]))",
                 "{{target}}")),
    _p("Deadlocks", "Deadlocks detected per second (a rate of 0 is the healthy value).",
       "ops", _q(f"sum by (target) (rate(pgwatch_database_deadlocks_total{{{T}}}[{R}]))",
                 "{{target}}")),
    _p("WAL generated", "Bytes of WAL written per second (pg_stat_wal).", "Bps",
       _q(f"sum by (target) (rate(pgwatch_wal_bytes_total{{{T}}}[{R}]))", "{{target}}")),
    _p("Checkpoints", "Checkpoints per second, on schedule versus requested (too many "
       "requested: raise max_wal_size).", "ops",
       _q(f"sum by (target) (rate(pgwatch_checkpointer_checkpoints_timed_total{{{T}}}[{R}]))",
          "{{target}} timed"),
       _q(f"sum by (target) (rate(pgwatch_checkpointer_checkpoints_requested_total"
          f"{{{T}}}[{R}]))", "{{target}} requested")),
    _p("Collector errors", "Failed collector runs per second, by collector; the log and "
       "pgwatch_collector_skipped say why.", "ops",
       _q(f"sum by (target, collector) (rate(pgwatch_collector_errors_total{{{T}}}[{R}]))",
          "{{target}} {{collector}}")),
    _p("Collector duration p95", "95th percentile of one collector run, by collector.", "s",
       _q(f"histogram_quantile(0.95, sum by (target, collector, le) "
          f"(rate(pgwatch_collector_duration_seconds_bucket{{{T}}}[{R}])))",
          "{{target}} {{collector}}")),
))

QUERIES = Dashboard("pgwatch-queries", "PostgreSQL query performance",
                    "Which statements cost the most, how their latency moves, and what they "
                    "read (pg_stat_statements, top statements by total time).", (
    _p("Top statements by total time", "Execution seconds per second, the ten heaviest "
       "statements; the table below gives their text.", "s",
       _q(f"topk(10, sum by (target, queryid) "
          f"(rate(pgwatch_statements_exec_seconds_total{{{T}}}[{R}])))",
          "{{target}} {{queryid}}")),
    _p("Mean latency", "Mean execution time per call over the interval, the ten slowest "
       "statements that ran.", "s",
       _q(f"topk(10, sum by (target, queryid) "
          f"(rate(pgwatch_statements_exec_seconds_total{{{T}}}[{R}])) / sum by (target, "
          f"queryid) (rate(pgwatch_statements_calls_total{{{T}}}[{R}]) > 0))",
          "{{target}} {{queryid}}")),
    _p("Calls per second", "Executions per second, the ten most frequent statements.", "ops",
       _q(f"topk(10, sum by (target, queryid) "
          f"(rate(pgwatch_statements_calls_total{{{T}}}[{R}])))", "{{target}} {{queryid}}")),
    _p("Statement cache hit ratio", "Share of a statement's block reads found in shared "
       "buffers, the ten statements with the lowest ratio.", "percentunit",
       _q(f"bottomk(10, sum by (target, queryid) "
          f"(rate(pgwatch_statements_shared_blocks_hit_total{{{T}}}[{R}])) / clamp_min(sum by "
          f"(target, queryid) (rate(pgwatch_statements_shared_blocks_hit_total{{{T}}}[{R}]) + "
          f"rate(pgwatch_statements_shared_blocks_read_total{{{T}}}[{R}])), 1))",
          "{{target}} {{queryid}}")),
    _p("Latency regressions", "Mean latency now divided by its mean an hour earlier; above 1 "
       "is slower. Needs an hour of history.", "short",
       _q(f"topk(10, (sum by (target, queryid) (rate(pgwatch_statements_exec_seconds_total"
          f"{{{T}}}[30m])) / sum by (target, queryid) (rate(pgwatch_statements_calls_total"
          f"{{{T}}}[30m]) > 0)) / (sum by (target, queryid) (rate("
          f"pgwatch_statements_exec_seconds_total{{{T}}}[30m] offset 1h)) / sum by (target, "
          f"queryid) (rate(pgwatch_statements_calls_total{{{T}}}[30m] offset 1h) > 0)))",
          "{{target}} {{queryid}}"), rare="only after an hour of history"),
    _p("Temporary blocks written", "Blocks spilled to temporary files per second, by "
       "statement.", "short",
       _q(f"topk(10, sum by (target, queryid) (rate("
          f"pgwatch_statements_temp_blocks_written_total{{{T}}}[{R}])))",
          "{{target}} {{queryid}}")),
    _p("Statement text", "Query text of the exposed statements, truncated to 200 characters.",
       "none", _q(f"pgwatch_statements_query_info{{{T}}}", "", True), kind="table"),
    _p("Statements evicted", "Entries pg_stat_statements dropped because "
       "pg_stat_statements.max was reached; raise it when this grows.", "short",
       _q(f"increase(pgwatch_statements_info_dealloc_total{{{T}}}[1h])", "{{target}}")),
))

INDEXES = Dashboard("pgwatch-indexes", "PostgreSQL indexes",
                    "Index usage, size, bloat, and indexes to drop or rebuild.", per_database=True,
                    panels=(
    _p("Index scans", "Index scans per second, the ten busiest indexes.", "ops",
       _q(f"topk(10, rate(pgwatch_indexes_scans_total{{{D}}}[{R}]))",
          "{{target}} {{datname}} {{indexrelname}}")),
    _p("Largest indexes", "Index sizes on disk, the ten largest.", "bytes",
       _q(f"topk(10, pgwatch_index_size_size_bytes{{{D}}})",
          "{{target}} {{datname}} {{indexrelname}}",
          True), kind="bargauge"),
    _p("Unused indexes", "Indexes with no scan since the statistics reset that back no "
       "constraint: candidates to drop.", "short",
       _q(f"pgwatch_index_flags_unused{{{D}}} == 1", "", True), kind="table"),
    _p("Unused, duplicate and redundant indexes", "Count of indexes flagged unused, "
       "duplicate (same definition as another) or redundant (a prefix of another).", "short",
       _q(f"sum by (target) (pgwatch_index_flags_unused{{{D}}})", "{{target}} unused"),
       _q(f"sum by (target) (pgwatch_index_flags_duplicate{{{D}}})", "{{target}} duplicate"),
       _q(f"sum by (target) (pgwatch_index_flags_redundant{{{D}}})", "{{target}} redundant")),
    _p("Invalid indexes", "Indexes left INVALID by a failed concurrent build: they cost "
       "writes and serve no read; rebuild or drop them.", "short",
       _q(f"sum by (target) (pgwatch_index_flags_invalid{{{D}}})", "{{target}}")),
    _p("Index blocks read from disk", "Index blocks read outside shared buffers per second.",
       "ops", _q(f"topk(10, rate(pgwatch_indexes_blocks_read_total{{{D}}}[{R}]))",
                 "{{target}} {{datname}} {{indexrelname}}")),
    _p("Index bloat", "Estimated wasted bytes in btree indexes.", "bytes",
       _q(f'topk(10, pgwatch_bloat_bloat_bytes{{{D}, kind="index"}})',
          "{{target}} {{datname}} {{relname}}")),
))

TABLES = Dashboard("pgwatch-tables", "PostgreSQL tables and vacuum",
                   "Dead rows, bloat, wraparound distance and autovacuum at work.",
                   per_database=True, panels=(
    _p("Dead rows", "Estimated dead rows, the ten tables with the most.", "short",
       _q(f"topk(10, pgwatch_tables_dead_tuples{{{D}}})", "{{target}} {{datname}} {{relname}}")),
    _p("Table bloat", "Estimated wasted bytes in tables.", "bytes",
       _q(f'topk(10, pgwatch_bloat_bloat_bytes{{{D}, kind="table"}})',
          "{{target}} {{datname}} {{relname}}")),
    _p("Wraparound distance", "Share of autovacuum_freeze_max_age used by the oldest "
       "tables; at 1 an anti-wraparound vacuum is forced.", "percentunit",
       _q(f"topk(10, pgwatch_wraparound_freeze_max_age_ratio{{{D}}})",
          "{{target}} {{datname}} {{relname}}")),
    _p("Database xid age", "Transactions since each database's datfrozenxid.", "short",
       _q(f"max by (target, datname) (pgwatch_database_frozenxid_age{{{D}}})",
          "{{target}} {{datname}}")),
    _p("Autovacuum workers", "Autovacuum workers busy and the maximum allowed.", "short",
       _q(f"pgwatch_autovacuum_workers_busy{{{T}}}", "{{target}} busy"),
       _q(f"pgwatch_autovacuum_workers_max{{{T}}}", "{{target}} max")),
    _p("Autovacuum runs", "Autovacuums and autoanalyzes per second.", "ops",
       _q(f"sum by (target) (rate(pgwatch_tables_autovacuum_total{{{D}}}[{R}]))",
          "{{target}} vacuum"),
       _q(f"sum by (target) (rate(pgwatch_tables_autoanalyze_total{{{D}}}[{R}]))",
          "{{target}} analyze")),
    _p("Sequential rows read", "Rows read by sequential scans per second: a large table "
       "here may lack an index.", "ops",
       _q(f"topk(10, rate(pgwatch_tables_seq_tuples_read_total{{{D}}}[{R}]))",
          "{{target}} {{datname}} {{relname}}")),
    _p("Largest tables", "Table size including TOAST and indexes.", "bytes",
       _q(f"topk(10, pgwatch_table_size_total_bytes{{{D}}})",
          "{{target}} {{datname}} {{relname}}", True),
       kind="bargauge"),
    _p("Vacuum progress", "Share of heap blocks scanned by running vacuums.", "percentunit",
       _q(f"pgwatch_vacuum_progress_heap_blocks_scanned{{{D}}} / "
          f"clamp_min(pgwatch_vacuum_progress_heap_blocks{{{D}}}, 1)",
          "{{target}} {{datname}} {{relname}} {{phase}}"), rare="only while a vacuum runs"),
))

CONNECTIONS = Dashboard("pgwatch-connections", "PostgreSQL connections and pool",
                        "Sessions by state and wait, blocking, locks, and PgBouncer pools.", (
    _p("Sessions by state", "Client sessions by state (active, idle, idle in transaction).",
       "short", _q(f"sum by (target, state) (pgwatch_activity_connections{{{T}}})",
                   "{{target}} {{state}}")),
    _p("Sessions waiting", "Sessions by wait event type (Lock, LWLock, IO, Client, ...).",
       "short", _q(f'sum by (target, wait_event_type) (pgwatch_activity_connections{{{T}, '
                   f'wait_event_type!=""}})', "{{target}} {{wait_event_type}}")),
    _p("Connection usage", "Client connections against max_connections.", "short",
       _q(f"pgwatch_connections_client_connections{{{T}}}", "{{target}} clients"),
       _q(f"pgwatch_connections_max_connections{{{T}}}", "{{target}} max")),
    _p("Longest query and idle in transaction", "Age of the longest running query and of the "
       "longest idle-in-transaction session.", "s",
       _q(f"max by (target) (pgwatch_activity_longest_query_seconds{{{T}}}) {ZERO}",
          "{{target}} query"),
       _q(f"max by (target) (pgwatch_activity_idle_in_transaction_seconds{{{T}}}) {ZERO}",
          "{{target}} idle in transaction")),
    _p("Blocked sessions", "Sessions waiting on a lock held by another, and how long.", "s",
       _q(f"pgwatch_blocking_waiting_seconds{{{T}}}", "{{target}} pid {{pid}}"),
       rare="only while a session is blocked"),
    _p("Locks", "Locks held or awaited, by mode.", "short",
       _q(f"sum by (target, mode, granted) (pgwatch_locks_locks{{{T}}})",
          "{{target}} {{mode}} granted={{granted}}")),
    _p("PgBouncer clients", "Clients active and waiting for a server connection, by pool "
       "(targets with a pgbouncer.dsn).",
       "short",
       _q(f"sum by (target, database) (pgwatch_pgbouncer_pools_clients_active{{{T}}})",
          "{{target}} {{database}} active"),
       _q(f"sum by (target, database) (pgwatch_pgbouncer_pools_clients_waiting{{{T}}})",
          "{{target}} {{database}} waiting")),
    _p("PgBouncer servers", "Server connections active and idle, by pool (targets with a "
       "pgbouncer.dsn).", "short",
       _q(f"sum by (target, database) (pgwatch_pgbouncer_pools_servers_active{{{T}}})",
          "{{target}} {{database}} active"),
       _q(f"sum by (target, database) (pgwatch_pgbouncer_pools_servers_idle{{{T}}})",
          "{{target}} {{database}} idle")),
    _p("PgBouncer wait", "Longest wait of a client for a server connection (targets with "
       "a pgbouncer.dsn).", "s",
       _q(f"max by (target, database) (pgwatch_pgbouncer_pools_max_wait_seconds{{{T}}})",
          "{{target}} {{database}}")),
    _p("PgBouncer query time", "Average query and transaction time through the pooler "
       "(targets with a pgbouncer.dsn).", "s",
       _q(f"pgwatch_pgbouncer_stats_avg_query_seconds{{{T}}}", "{{target}} {{database}} query"),
       _q(f"pgwatch_pgbouncer_stats_avg_xact_seconds{{{T}}}", "{{target}} {{database}} xact")),
))

MILE_QUEST = Dashboard("pgwatch-mile-quest", "Mile Quest migrations",
                       "What the shipped migrations cost and deliver: materialized-view "
                       "refreshes and trigger timing.", per_database=True, panels=(
    _p("Refresh duration", "Duration of the last refresh of each materialized view.", "s",
       _q(f"pgwatch_mile_quest_views_last_refresh_seconds{{{D}}}",
          "{{target}} {{datname}} {{view_name}}")),
    _p("Staleness", "Seconds since each view was last refreshed successfully.", "s",
       _q(f"pgwatch_mile_quest_views_staleness_seconds{{{D}}}",
          "{{target}} {{datname}} {{view_name}}")),
    _p("Refreshes", "Refreshes per second, by view.", "ops",
       _q(f"rate(pgwatch_mile_quest_views_refreshes_total{{{D}}}[{R}])",
          "{{target}} {{datname}} {{view_name}}")),
    _p("Refresh failures", "Failed refreshes in the last hour (0 is healthy).", "short",
       _q(f"increase(pgwatch_mile_quest_views_failures_total{{{D}}}[1h])",
          "{{target}} {{datname}} {{view_name}}")),
    _p("Pending refresh requests", "Age of the oldest refresh request still queued (0: none "
       "queued).", "s",
       _q(f"pgwatch_mile_quest_views_pending_request_seconds{{{D}}} or "
          f"pgwatch_mile_quest_views_populated{{{D}}} * 0",
  "{{target}} {{datname}} {{view_name}}")),
    _p("Trigger mean time", "Mean execution time of each trigger over the last hour "
       "(sampled).", "s",
       _q(f"pgwatch_mile_quest_triggers_mean_seconds_last_hour{{{D}}}",
          "{{target}} {{datname}} {{trigger_name}} {{operation}}")),
    _p("Trigger time per second", "Sampled trigger execution seconds per second.", "s",
       _q(f"sum by (target, datname, trigger_name) (rate("
          f"pgwatch_mile_quest_triggers_sampled_seconds_total{{{D}}}[{R}]))",
          "{{target}} {{datname}} {{trigger_name}}")),
    _p("Slow trigger calls", "Trigger calls over the slow threshold per second.", "ops",
       _q(f"sum by (target, datname, trigger_name) (rate("
          f"pgwatch_mile_quest_triggers_slow_calls_total{{{D}}}[{R}]))",
          "{{target}} {{datname}} {{trigger_name}}")),
))

DASHBOARDS = (OVERVIEW, QUERIES, INDEXES, TABLES, CONNECTIONS, MILE_QUEST)
