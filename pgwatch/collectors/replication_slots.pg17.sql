-- PostgreSQL 17 adds inactive_since and invalidation_reason.
WITH cur AS (
    SELECT CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_receive_lsn()
                ELSE pg_catalog.pg_current_wal_lsn() END AS lsn
)
SELECT s.slot_name::text AS slot_name,
       s.slot_type,
       COALESCE(s.plugin::text, '') AS plugin,
       COALESCE(s.database::text, '') AS database,
       s.active,
       s.temporary,
       pg_catalog.pg_wal_lsn_diff(cur.lsn, s.restart_lsn)::float8 AS retained_wal_bytes,
       pg_catalog.pg_wal_lsn_diff(cur.lsn, s.confirmed_flush_lsn)::float8
           AS confirmed_flush_lag_bytes,
       s.safe_wal_size::float8 AS safe_wal_bytes,
       pg_catalog.age(s.xmin) AS xmin_age,
       pg_catalog.age(s.catalog_xmin) AS catalog_xmin_age,
       COALESCE(s.wal_status, '') AS wal_status,
       s.conflicting,
       pg_catalog.date_part('epoch', s.inactive_since) AS inactive_since_timestamp_seconds,
       s.invalidation_reason
  FROM pg_catalog.pg_replication_slots AS s
 CROSS JOIN cur
