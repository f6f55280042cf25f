-- Standbys streaming from this server: byte lags from the current WAL position (the
-- received position on a cascading standby) and the time lags they report.
WITH cur AS (
    SELECT CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_receive_lsn()
                ELSE pg_catalog.pg_current_wal_lsn() END AS lsn
)
SELECT r.pid::text AS pid,
       COALESCE(r.application_name, '') AS application_name,
       COALESCE(pg_catalog.host(r.client_addr), 'local') AS client_addr,
       COALESCE(r.state, '') AS state,
       COALESCE(r.sync_state, '') AS sync_state,
       pg_catalog.pg_wal_lsn_diff(cur.lsn, r.sent_lsn)::float8 AS sent_lag_bytes,
       pg_catalog.pg_wal_lsn_diff(cur.lsn, r.write_lsn)::float8 AS write_lag_bytes,
       pg_catalog.pg_wal_lsn_diff(cur.lsn, r.flush_lsn)::float8 AS flush_lag_bytes,
       pg_catalog.pg_wal_lsn_diff(cur.lsn, r.replay_lsn)::float8 AS replay_lag_bytes,
       pg_catalog.date_part('epoch', r.write_lag) AS write_lag_seconds,
       pg_catalog.date_part('epoch', r.flush_lag) AS flush_lag_seconds,
       pg_catalog.date_part('epoch', r.replay_lag) AS replay_lag_seconds,
       pg_catalog.date_part('epoch', now() - r.reply_time) AS reply_age_seconds
  FROM pg_catalog.pg_stat_replication AS r
 CROSS JOIN cur
